import { z } from 'zod';
import { MAX_SPEECH_TEXT_CHARS } from '../../../engines/speech-text-limit.ts';

export const TALKING_HEAD_RESOLUTIONS = ['source', '720p', '1080p'] as const;
export const TALKING_HEAD_LAYOUTS = ['portrait', 'presenter'] as const;
/** Frames per second of every talking-head video (the 25 fps: PAL, and 40 ms per frame). */
export const TALKING_HEAD_FPS = 25;
/** The longest video one job renders: half an hour (rendering runs faster than real time, memory stays flat). */
export const TALKING_HEAD_MAX_SECONDS = 1800;

/** The step's inputs and defaults, declared once; the port table only names the ports. */
export const talkingHeadInputSchema = z.object({
  portrait: z.string().trim().min(1).max(4096).describe('The face: an image artifact or upload id, or (local callers) a file path.'),
  text: z.string().trim().max(MAX_SPEECH_TEXT_CHARS).default('').describe('The script to speak; with audio, the words of that audio (aligned for exact lip sync).'),
  audio: z.string().trim().min(1).max(4096).optional().describe('Your own speech (artifact, upload or file) instead of the synthesised voice.'),
  voice: z.string().min(1).max(200).optional(),
  language: z.string().min(1).max(35).optional(),
  speed: z.number().min(0.5).max(2).default(1),
  /** Checked by governance (consentForLikeness); kept as given for the provenance. */
  consent: z.unknown().optional().describe('For a real person: { subject, basis: self | written | contract | public-domain | ai-generated, statement? }.'),
  model: z.string().min(1).max(200).optional().describe('A provider model for photoreal rendering (fal:…, replicate:…, did:talks); absent: the local renderer.'),
  resolution: z.enum(TALKING_HEAD_RESOLUTIONS).default('source'),
  layout: z.enum(TALKING_HEAD_LAYOUTS).default('portrait'),
  /** Burned-in subtitles; default on for the presenter layout, off for a bare portrait. */
  subtitles: z.boolean().optional(),
  blink: z.boolean().default(true),
  headMotion: z.boolean().default(true),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
});
export type TalkingHeadInput = z.output<typeof talkingHeadInputSchema>;
