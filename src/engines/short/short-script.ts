import { z } from 'zod';
import { MOODS, type Mood } from '../composer/style.ts';

/**
 * The script of a short: what the text model writes from one sentence (or the user brings),
 * what every later stage reads. One declaration: the JSON Schema the model is constrained to,
 * the plain-text parser's output and the studio's editor all follow this zod schema.
 */

/** The sound effects Shenbi synthesises itself (src/engines/sfx/): licence-clean, offline, seeded. */
export const SOUND_EFFECTS = ['whoosh', 'pop', 'chime', 'bell', 'rain', 'wind', 'crowd', 'applause', 'footsteps', 'typing', 'heartbeat', 'firework', 'thunder'] as const;
export type SoundEffect = (typeof SOUND_EFFECTS)[number];

export const SHORT_MOODS = Object.keys(MOODS) as [Mood, ...Mood[]];

/** When in its scene a cue sounds: at the cut (start), halfway, or just before the next cut (end). */
export const CUE_PLACES = ['start', 'middle', 'end'] as const;
export type CuePlace = (typeof CUE_PLACES)[number];

export const soundCueSchema = z
  .object({
    effect: z.enum(SOUND_EFFECTS),
    at: z.enum(CUE_PLACES).default('start'),
  })
  .strict();
export type SoundCue = z.output<typeof soundCueSchema>;

/** Limits every stage relies on (a 3-minute short at most; the 15–180 s). */
export const SHORT_LIMITS = {
  minSeconds: 15,
  maxSeconds: 180,
  maxScenes: 30,
  maxIdeaChars: 2000,
  maxNarrationChars: 400,
  maxCaptionChars: 60,
  maxCuesPerScene: 4,
} as const;

export const shortSceneSchema = z
  .object({
    /** What the voice says in this scene (one or two sentences). */
    narration: z.string().trim().min(1).max(SHORT_LIMITS.maxNarrationChars),
    /** Short on-screen text (large, upper third); may be empty. */
    caption: z.string().trim().max(SHORT_LIMITS.maxCaptionChars).default(''),
    /** What the picture shows: the image prompt, and the card's illustration hint. */
    visual: z.string().trim().max(400).default(''),
    /** The scene's mood (card palette, effects); default the script's. */
    mood: z.enum(SHORT_MOODS).optional(),
    sounds: z.array(soundCueSchema).max(SHORT_LIMITS.maxCuesPerScene).default([]),
  })
  .strict();
export type ShortScene = z.output<typeof shortSceneSchema>;

export const shortScriptSchema = z
  .object({
    title: z.string().trim().min(1).max(60),
    /** The music bed's mood and the default for scenes. */
    mood: z.enum(SHORT_MOODS).default('warm'),
    language: z.enum(['zh', 'en']).optional(),
    scenes: z.array(shortSceneSchema).min(1).max(SHORT_LIMITS.maxScenes),
  })
  .strict();
export type ShortScript = z.output<typeof shortScriptSchema>;
export type ShortScriptInput = z.input<typeof shortScriptSchema>;

/** Where a scene's picture came from, in the order they are tried (recorded in provenance). */
export type PictureSource = 'upload' | 'provider' | 'sd-server' | 'diffusion' | 'card';

/** One scene's picture: an image artifact id and where it came from. */
export interface ScenePicture {
  /**
   * An image artifact id (art_…); for source 'upload' the user's own picture as given — art_/upl_
   * id, URL, or a resolved file path for local callers — never copied into the store: read it back
   * with readMediaInput (src/pipelines/steps/media-input.ts).
   */
  readonly artifact: string;
  readonly source: PictureSource;
  /** Why a preferred source was not used ("fal failed: 503 after 3 tries"): also a progress warning. */
  readonly note?: string;
}

/**
 * When a cue sounds on the video's timeline, given its scene's span (seconds): just after the
 * cut, halfway, or half a second before the next cut. The mixer places effects here and the
 * tests look for their onsets here.
 */
export function cueTime(scene: { readonly start: number; readonly end: number }, place: CuePlace): number {
  if (place === 'middle') return (scene.start + scene.end) / 2;
  if (place === 'end') return Math.max(scene.start, scene.end - 0.5);
  return Math.min(scene.end, scene.start + 0.05);
}
