import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { ESPEAK_ENGINE_INFO, type EspeakEngine } from '../../../engines/espeak/index.ts';
import { present } from '../present-inputs.ts';
import { storeSpeech } from './store-speech.ts';

const inputSchema = z.object({
  text: z.string(),
  language: z.string().min(1).optional(),
  voice: z.string().min(1).optional(),
  speed: z.number().min(0.25).max(4).default(1),
  pitch: z.number().min(0).max(2).optional(),
  format: z.enum(['wav', 'mp3', 'ogg', 'opus', 'flac']).default('wav'),
  loudness: z.number().min(-70).max(0).default(-16).describe('Target integrated loudness, LUFS.'),
});

/**
 * Text to speech with eSpeak-NG: synthesizes, normalizes loudness (EBU R128 target, −1 dBTP
 * ceiling), encodes, and stores the audio plus its word, sentence and phoneme timings.
 */
export function speechSynthesizeStep(engine: Pick<EspeakEngine, 'synthesize'>): StepDefinition {
  return {
    type: 'speech.synthesize',
    title: 'Synthesize speech',
    description: 'Offline text-to-speech (eSpeak-NG) with word, sentence and phoneme timings, loudness-normalized.',
    // 2: the timings file gained `phonemes` (older cached results lack them).
    version: '2',
    engine: 'speech',
    inputs: inputPorts(inputSchema),
    outputs: {
      audio: { type: 'artifact' },
      timings: { type: 'artifact' },
      duration: { type: 'number' },
    },
    cacheSalt: () => ({ engine: ESPEAK_ENGINE_INFO.id, version: ESPEAK_ENGINE_INFO.version }),
    async run(ctx, inputs) {
      const parsed = inputSchema.safeParse(present(inputs));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
        throw new ShenbiError('INVALID_INPUT', `Bad speech.synthesize input: ${issues.join('; ')}`, { details: { issues } });
      }
      const { text, language, voice, speed, pitch, format, loudness } = parsed.data;
      ctx.progress({ fraction: 0.05, message: 'synthesizing' });
      let result;
      try {
        result = await engine.synthesize({
          text,
          speed,
          signal: ctx.signal,
          ...(language === undefined ? {} : { language }),
          ...(voice === undefined ? {} : { voice }),
          ...(pitch === undefined ? {} : { pitch }),
        });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      ctx.progress({ fraction: 0.6, message: 'normalizing loudness' });
      return storeSpeech(ctx, result.audio, {
        format,
        loudness,
        reportEncoding: true,
        moveSamples: true,
        engine: { id: ESPEAK_ENGINE_INFO.id, version: ESPEAK_ENGINE_INFO.version },
        parameters: { voice: result.voice, language: result.language, speed, pitch: pitch ?? 1, format, loudness },
        timings: (duration) => ({ words: result.words, sentences: result.sentences, phonemes: result.phonemes, duration, voice: result.voice, language: result.language }),
      });
    },
  };
}
