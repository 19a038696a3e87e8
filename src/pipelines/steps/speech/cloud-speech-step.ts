import type { SpeechModelV3 } from '@ai-sdk/provider';
import { experimental_generateSpeech as generateSpeech } from 'ai';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { mapProviderFailure } from '../../../engines/cloud-music/http.ts';
import { retryProviderCall, type ProviderRetryOptions } from '../../../engines/providers/retry-call.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import { durationOf, peakOf } from '../../../media/audio/pcm.ts';
import { present } from '../present-inputs.ts';
import { storeSpeech } from './store-speech.ts';

const inputSchema = z.object({
  text: z.string().trim().min(1).max(10_000),
  model: z.string().min(1).describe('provider:model, e.g. openai:tts-1 or elevenlabs:eleven_multilingual_v2'),
  voice: z.string().min(1).max(200).optional(),
  language: z.string().min(1).max(20).optional(),
  speed: z.number().min(0.25).max(4).default(1),
  /** Style instructions (OpenAI gpt-4o-mini-tts). */
  instructions: z.string().max(2_000).optional(),
  format: z.enum(['wav', 'mp3', 'ogg', 'opus', 'flac']).default('wav'),
  loudness: z.number().min(-70).max(0).default(-16).describe('Target integrated loudness, LUFS.'),
});

/** How the step reaches a model: the configured providers' speech models, and retry timing. */
export interface CloudSpeechStepDeps {
  resolve: (spec: string) => SpeechModelV3;
  /** The env var holding each provider's key, for the hint on a refused key. */
  keyEnv?: (spec: string) => string | undefined;
  retry?: ProviderRetryOptions;
}


/**
 * Text-to-speech on a cloud model (OpenAI, ElevenLabs) through the AI SDK's speech interface.
 * The answer is decoded by ffmpeg (unreadable audio is MEDIA_INVALID, nothing stored),
 * loudness-normalized, encoded in the asked format. The providers give no word timings, so the
 * timings artifact says so (`wordTimings: false`) instead of inventing them.
 */
export function cloudSpeechStep(deps: CloudSpeechStepDeps): StepDefinition {
  return {
    type: 'speech.cloud',
    title: 'Synthesize speech (cloud)',
    description: 'Cloud text-to-speech (openai:tts-1, elevenlabs:eleven_multilingual_v2 …), loudness-normalized.',
    version: '1',
    engine: 'cloud-speech',
    inputs: inputPorts(inputSchema),
    outputs: { audio: { type: 'artifact' }, timings: { type: 'artifact' }, duration: { type: 'number' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'speech.cloud input');
      const model = deps.resolve(input.model);
      const call = { spec: input.model, keyEnv: deps.keyEnv?.(input.model), signal: ctx.signal };
      ctx.progress({ fraction: 0.05, message: `asking ${input.model}` });
      let result;
      try {
        result = await retryProviderCall(
          () =>
            generateSpeech({
              model,
              text: input.text,
              speed: input.speed,
              ...(input.voice === undefined ? {} : { voice: input.voice }),
              ...(input.language === undefined ? {} : { language: input.language }),
              ...(input.instructions === undefined ? {} : { instructions: input.instructions }),
              // WAV from OpenAI decodes without ffmpeg; ElevenLabs answers its default MP3.
              ...(model.provider.startsWith('openai') ? { outputFormat: 'wav' } : {}),
              abortSignal: ctx.signal,
              maxRetries: 0,
            }),
          { ...deps.retry, signal: ctx.signal },
        );
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(mapProviderFailure(error, call), 'ENGINE_FAILED');
      }
      ctx.progress({ fraction: 0.6, message: 'checking and normalizing' });
      const decoded = await decodeAudio(result.audio.uint8Array, { signal: ctx.signal });
      if (durationOf(decoded) < 0.05 || peakOf(decoded.samples) === 0) {
        throw new ShenbiError('MEDIA_INVALID', `${input.model} returned ${durationOf(decoded).toFixed(2)} s of audio that is silent or too short`);
      }
      return storeSpeech(ctx, decoded, {
        format: input.format,
        loudness: input.loudness,
        moveSamples: true,
        engine: { id: `cloud-speech:${input.model.split(':')[0]}`, version: 'ai-sdk' },
        model: { name: input.model, sha256: null },
        parameters: { voice: input.voice ?? null, language: input.language ?? null, speed: input.speed, format: input.format, loudness: input.loudness },
        timings: (duration) => ({
          wordTimings: false,
          note: `${input.model} returns no word timings; align the audio with the script (generate transcription with transcript) to get them.`,
          words: [],
          sentences: [],
          duration,
          voice: input.voice ?? null,
          language: input.language ?? null,
          warnings: result.warnings.map((w) => ('message' in w && w.message ? w.message : JSON.stringify(w))),
        }),
      });
    },
  };
}
