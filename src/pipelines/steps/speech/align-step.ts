import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { forcedAlign, type SynthesizeFn } from '../../../engines/align/index.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { SUBTITLE_FORMATS, SUBTITLE_MIME, subtitleFile } from './subtitle-formats.ts';
import { present } from '../present-inputs.ts';

const inputSchema = z.object({
  audio: z.string().min(1).describe('An audio artifact id or a file path.'),
  transcript: z.string().min(1).max(1_000_000),
  language: z.string().min(2).max(35).optional(),
  format: z.enum(SUBTITLE_FORMATS).default('srt'),
});

/**
 * Known script + its recording → word and sentence times and a subtitle file, with no
 * recognition model: the script is synthesised and matched to the audio (MFCC + DTW).
 * For dubbing, lyrics and subtitles of a video whose script you have.
 */
export function alignStep(synthesize: () => SynthesizeFn, engine: { id: string; version: string }, media: MediaPolicy): StepDefinition {
  return {
    type: 'speech.align',
    title: 'Align a script to audio',
    description: 'Forced alignment: word and sentence timings for a known script, and subtitles.',
    version: '1',
    engine: 'speech',
    inputs: inputPorts(inputSchema),
    outputs: { subtitles: { type: 'artifact' }, timings: { type: 'artifact' }, text: { type: 'string' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'speech.align input');
      const { bytes, parents } = await readMediaInput(ctx, input.audio, media, 'audio');
      ctx.progress({ fraction: 0.05, message: 'decoding audio' });
      const audio = await decodeAudio(bytes, { signal: ctx.signal });
      ctx.progress({ fraction: 0.2, message: 'aligning' });
      let aligned;
      try {
        aligned = await forcedAlign(audio, input.transcript, { synthesize: synthesize(), ...(input.language ? { language: input.language } : {}), signal: ctx.signal });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const parameters = { format: input.format, language: input.language ?? null, method: 'forced-alignment (eSpeak reference, MFCC+DTW)' };
      const timings = await ctx.writeArtifact({
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify({ words: aligned.words, sentences: aligned.sentences }, null, 2), 'utf8'),
        name: 'alignment.json',
        parents,
        engine,
        parameters,
      });
      const subtitles = await ctx.writeArtifact({
        kind: 'subtitle',
        mimeType: SUBTITLE_MIME[input.format],
        bytes: Buffer.from(subtitleFile(input.format, aligned.words, aligned.sentences), 'utf8'),
        name: `subtitles.${input.format}`,
        parents: [...parents, timings.id],
        engine,
        parameters,
      });
      return { subtitles: subtitles.id, timings: timings.id, text: input.transcript };
    },
  };
}
