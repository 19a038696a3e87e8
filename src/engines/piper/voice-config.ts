import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';

/**
 * The parts of Piper's `<voice>.onnx.json` that synthesis needs. Piper writes more (dataset,
 * language, piper_version, speaker_id_map); unknown keys are kept out of the way, not rejected.
 */
export const piperVoiceConfigSchema = z.looseObject({
  audio: z.looseObject({ sample_rate: z.number().int().min(8000).max(96_000) }),
  espeak: z.looseObject({ voice: z.string().min(1) }),
  /** Phonemes are eSpeak IPA in every published voice; 'text' voices map raw codepoints. */
  phoneme_type: z.string().optional(),
  /** One phoneme (a Unicode codepoint) to one or more ids; must hold '_', '^' and '$'. */
  phoneme_id_map: z.record(z.string(), z.array(z.number().int().nonnegative()).min(1)),
  num_speakers: z.number().int().positive().default(1),
  inference: z
    .looseObject({
      noise_scale: z.number().nonnegative().default(0.667),
      length_scale: z.number().positive().default(1),
      noise_w: z.number().nonnegative().default(0.8),
    })
    .default({ noise_scale: 0.667, length_scale: 1, noise_w: 0.8 }),
});
export type PiperVoiceConfig = z.infer<typeof piperVoiceConfigSchema>;

/** Piper's special symbols (piper-phonemize `PhonemeIdConfig`). */
export const PAD = '_';
export const BOS = '^';
export const EOS = '$';

/** Reads and validates a voice config: missing is MODEL_NOT_INSTALLED, malformed MODEL_INVALID. */
export async function readPiperVoiceConfig(path: string): Promise<PiperVoiceConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ShenbiError('MODEL_NOT_INSTALLED', `Piper voice config ${path} is missing`, {
      cause: error,
      details: { path },
      hint: 'A Piper voice is two files side by side: <voice>.onnx and <voice>.onnx.json (from rhasspy/piper-voices).',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('MODEL_INVALID', `${path} is not valid JSON: ${(error as Error).message}`, { cause: error, details: { path } });
  }
  const parsed = piperVoiceConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ShenbiError('MODEL_INVALID', `${path} is not a Piper voice config: ${issues.join('; ')}`, { details: { path, issues } });
  }
  for (const symbol of [PAD, BOS, EOS]) {
    if (parsed.data.phoneme_id_map[symbol] === undefined) {
      throw new ShenbiError('MODEL_INVALID', `${path}: phoneme_id_map has no '${symbol}' (Piper's pad/begin/end symbols are required)`, { details: { path } });
    }
  }
  return parsed.data;
}
