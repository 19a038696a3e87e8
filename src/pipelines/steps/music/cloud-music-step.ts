import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { CLOUD_MUSIC_ENGINE_INFO, generateCloudMusic, type CloudMusicOptions, type CloudMusicResult } from '../../../engines/cloud-music/index.ts';
import { AUDIO_MIME_TYPES, decodeAudio } from '../../../media/audio/encode.ts';
import { encodeToLoudness } from '../../../media/audio/encode-to-loudness.ts';
import { integratedLoudnessOffThread, normalizeLoudnessOffThread } from '../../../media/audio/off-thread.ts';
import { durationOf, peakOf } from '../../../media/audio/pcm.ts';
import { normalizeLyricBreaks } from '../../../media/text/lyric-lines.ts';
import { movable } from '../../../workers/off-thread.ts';
import { cloudMusicPrompt } from './cloud-music-prompt.ts';
import { present } from '../present-inputs.ts';
import { safeFileBase } from '../../../core/file-name.ts';

const inputSchema = z.object({
  model: z.string().min(1).describe('provider:model, e.g. elevenlabs:music_v1, replicate:meta/musicgen, fal:fal-ai/ace-step'),
  prompt: z.string().max(2_000).optional().describe('The wish or a description of the music.'),
  lyrics: z.string().max(20_000).transform(normalizeLyricBreaks).optional(),
  recipient: z.string().max(200).optional(),
  title: z.string().max(200).optional(),
  mood: z.string().max(40).default('warm'),
  genre: z.string().max(40).default('pop'),
  instrument: z.string().max(40).optional(),
  tempo: z.number().min(40).max(220).optional(),
  key: z.string().max(8).optional(),
  vocals: z.enum(['sung', 'spoken', 'none']).default('sung').describe('sung | spoken | none (none: instrumental)'),
  duration: z.number().min(3).max(300).default(30).describe('Seconds.'),
  format: z.enum(['wav', 'mp3', 'ogg', 'flac']).default('mp3'),
  loudness: z.number().min(-40).max(-6).default(-14),
  seed: z.number().int().min(0).optional(),
  pollMs: z.number().int().min(10).max(60_000).optional().describe('How often to poll a queued generation, ms (default 2000).'),
});

/** Where cloud music options come from: the configured providers (and, in tests, env, poll and retry timing). */
export type CloudMusicStepOptions = Omit<CloudMusicOptions, 'signal'>;


/**
 * A song (or sound) from a cloud music model: ElevenLabs Music, MusicGen or ACE-Step on
 * Replicate or fal. The provider's file is decoded by ffmpeg (anything unreadable is
 * MEDIA_INVALID and nothing is stored), mastered to the loudness target with a −1 dBTP
 * ceiling, encoded in the asked format and stored; governance labels it like any output.
 */
export function cloudMusicStep(options: () => CloudMusicStepOptions): StepDefinition {
  return {
    type: 'music.cloud',
    title: 'Make music (cloud)',
    description: 'Music from a cloud model (elevenlabs:music_v1, replicate:meta/musicgen, fal:fal-ai/ace-step …), mastered and labeled.',
    version: '1',
    engine: 'cloud-music',
    inputs: inputPorts(inputSchema),
    outputs: { audio: { type: 'artifact' }, duration: { type: 'number' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'music.cloud input');
      if (!input.prompt && !input.lyrics && !input.recipient) throw new ShenbiError('INVALID_INPUT', 'music.cloud needs a prompt, lyrics or a recipient');
      const instrumental = input.vocals === 'none';
      const lyrics = input.lyrics?.trim() ? input.lyrics : undefined;
      const prompt = cloudMusicPrompt({ ...input, hasLyrics: lyrics !== undefined, instrumental });
      ctx.progress({ fraction: 0.05, message: `asking ${input.model}` });
      const defaults = options();
      let result: CloudMusicResult;
      try {
        result = await generateCloudMusic(input.model, { prompt, lyrics, description: input.prompt, durationSec: input.duration, seed: input.seed, instrumental }, { ...defaults, signal: ctx.signal, pollMs: input.pollMs ?? defaults.pollMs });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      ctx.progress({ fraction: 0.7, message: 'checking and mastering' });
      // Decoding proves the file is audio; corrupt answers stop here, before anything is stored.
      let audio = await decodeAudio(result.bytes, { signal: ctx.signal });
      if (durationOf(audio) < 0.1 || peakOf(audio.samples) === 0 || !Number.isFinite(await integratedLoudnessOffThread(audio, { signal: ctx.signal }))) {
        throw new ShenbiError('MEDIA_INVALID', `${input.model} returned ${durationOf(audio).toFixed(2)} s of audio that is silent or too short`);
      }
      audio = await normalizeLoudnessOffThread(audio, { targetLufs: input.loudness, peakDb: -1 }, { signal: ctx.signal, transfer: movable(audio.samples) });
      // Measured after encoding, so a lossy codec does not move the file off the target.
      const bytes = await encodeToLoudness(audio, input.format, { targetLufs: input.loudness, peakDb: -1 }, { channels: 2, signal: ctx.signal });
      const provider = input.model.split(':')[0]!;
      const name = safeFileBase(input.title, 'song');
      const artifact = await ctx.writeArtifact({
        kind: 'audio',
        mimeType: AUDIO_MIME_TYPES[input.format],
        bytes,
        name: `${name}.${input.format}`,
        engine: { id: `${CLOUD_MUSIC_ENGINE_INFO.id}:${provider}`, version: CLOUD_MUSIC_ENGINE_INFO.version },
        model: { name: input.model, sha256: null },
        parameters: { prompt, lyrics: lyrics ?? null, duration: input.duration, vocals: input.vocals, loudness: input.loudness, providerRequestId: result.requestId ?? null, providerMediaType: result.mediaType ?? null },
        seed: input.seed ?? null,
      });
      return { audio: artifact.id, duration: durationOf(audio) };
    },
  };
}
