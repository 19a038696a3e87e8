import { dirname, join } from 'node:path';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { PIPER_ENGINE_INFO, type PiperEngine } from '../../../engines/piper/index.ts';
import { present } from '../present-inputs.ts';
import { storeSpeech } from './store-speech.ts';
import { isModelName } from '../../../models/model-name.ts';
import type { ModelManager } from '../../../models/index.ts';

/** `voice: 'piper:<name>'` names an installed Piper voice. */
export const PIPER_VOICE_PREFIX = 'piper:';

const inputSchema = z.object({
  text: z.string(),
  /** The installed voice: `<name>` or `piper:<name>`, a folder under the models directory. */
  voice: z.string().min(1).describe('An installed Piper voice: <name> or piper:<name>.'),
  speed: z.number().min(0.25).max(4).default(1),
  speaker: z.number().int().nonnegative().optional(),
  format: z.enum(['wav', 'mp3', 'ogg', 'opus', 'flac']).default('wav'),
  loudness: z.number().min(-70).max(0).default(-16).describe('Target integrated loudness, LUFS.'),
});

/**
 * Neural text to speech with an installed Piper voice (`$SHENBI_HOME/models/<name>/` holding
 * `<x>.onnx` + `<x>.onnx.json`): synthesizes sentence by sentence, normalizes loudness, encodes,
 * and stores the audio plus sentence timings (exact) and word timings (approximate).
 */
export function piperSpeechStep(
  engine: Pick<PiperEngine, 'synthesize'>,
  options: {
    modelsDir: string;
    /** Resolves catalog voices (`piper:NAME` → the installed model `NAME` or `piper-NAME`); never downloads. */
    models?: Pick<ModelManager, 'resolve'>;
  },
): StepDefinition {
  return {
    type: 'speech.piper',
    title: 'Synthesize speech (Piper voice)',
    description: 'Offline neural text-to-speech with a Piper (VITS) voice on onnxruntime, loudness-normalized.',
    version: '1',
    engine: 'speech',
    inputs: inputPorts(inputSchema),
    outputs: {
      audio: { type: 'artifact' },
      timings: { type: 'artifact' },
      duration: { type: 'number' },
    },
    cacheSalt: () => ({ engine: PIPER_ENGINE_INFO.id, version: PIPER_ENGINE_INFO.version }),
    async run(ctx, inputs) {
      const parsed = inputSchema.safeParse(present(inputs));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
        throw new ShenbiError('INVALID_INPUT', `Bad speech.piper input: ${issues.join('; ')}`, { details: { issues } });
      }
      const { text, speed, speaker, format, loudness } = parsed.data;
      const name = parsed.data.voice.startsWith(PIPER_VOICE_PREFIX) ? parsed.data.voice.slice(PIPER_VOICE_PREFIX.length) : parsed.data.voice;
      // A name, never a path: a request must not make the server load ONNX files from anywhere.
      if (!isModelName(name)) throw new ShenbiError('INVALID_INPUT', `${JSON.stringify(name)} is not an installed voice name`);
      ctx.progress({ fraction: 0.05, message: 'synthesizing' });
      let result;
      try {
        const voiceDir = await resolvePiperVoiceDir(name, options);
        result = await engine.synthesize({ voiceDir, text, speed, signal: ctx.signal, ...(speaker === undefined ? {} : { speaker }) });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      ctx.progress({ fraction: 0.6, message: 'normalizing loudness' });
      const parameters = { voice: `${PIPER_VOICE_PREFIX}${name}`, speed, speaker: speaker ?? 0, format, loudness };
      return storeSpeech(ctx, result.audio, {
        format,
        loudness,
        reportEncoding: true,
        moveSamples: true,
        engine: { id: PIPER_ENGINE_INFO.id, version: PIPER_ENGINE_INFO.version },
        parameters,
        timings: (duration) => ({ words: result.words, wordTimings: 'approximate', sentences: result.sentences, duration, voice: parameters.voice, espeakVoice: result.espeakVoice, missingPhonemes: result.missingPhonemes }),
      });
    },
  };
}

/**
 * The folder of voice `name`: an installed catalog model `name` or `piper-name` (through the
 * model manager, so a catalog voice that is not installed fails with MODEL_NOT_INSTALLED and
 * the exact pull command), else a hand-placed folder `<modelsDir>/<name>` as before.
 */
export async function resolvePiperVoiceDir(name: string, options: { modelsDir: string; models?: Pick<ModelManager, 'resolve'> }): Promise<string> {
  const handPlaced = join(options.modelsDir, name);
  const candidates = name.startsWith('piper-') ? [name] : [name, `piper-${name}`];
  for (const candidate of candidates) {
    if (!isModelName(candidate)) continue;
    if (options.models === undefined) {
      // Not wired to the manager: pulled models still live in <modelsDir>/<name>/.
      if (await isDirectory(join(options.modelsDir, candidate))) return join(options.modelsDir, candidate);
      continue;
    }
    try {
      return dirname((await options.models.resolve(candidate)).path);
    } catch (error) {
      const folder = join(options.modelsDir, candidate);
      // Files put there by hand (no install record) keep working, even under a catalog name.
      if (error instanceof ShenbiError && error.code === 'MODEL_NOT_INSTALLED' && (await isDirectory(folder)) && !(await isFile(join(folder, 'model.json')))) return folder;
      if (!(error instanceof ShenbiError) || error.code !== 'MODEL_NOT_FOUND') throw error;
      // Unknown to the catalog and registry: a hand-placed folder under this name wins.
      if (candidate === name && (await isDirectory(handPlaced))) return handPlaced;
    }
  }
  return handPlaced;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}
