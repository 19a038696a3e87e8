import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { seededRandom } from '../seeded-random.ts';
import { SOUND_EFFECTS, type SoundEffect } from '../short/short-script.ts';
import { finish } from './dsp.ts';
import { EFFECT_SECONDS, type EffectCanvas } from './effect-seconds.ts';
import { applause, crowd, rain, thunder, whoosh, wind } from './noise-effects.ts';
import { firework, footsteps, heartbeat, typing } from './rhythmic-effects.ts';
import { bell, chime, pop } from './tonal-effects.ts';

const SYNTHESISERS: Readonly<Record<SoundEffect, (canvas: EffectCanvas) => Float64Array>> = {
  whoosh,
  pop,
  chime,
  bell,
  rain,
  wind,
  crowd,
  applause,
  footsteps,
  typing,
  heartbeat,
  firework,
  thunder,
};

export const synthesizeOptionsSchema = z
  .object({
    /** Any integer; its low 32 bits seed the generator. */
    seed: z.number().int(),
    sampleRate: z.number().int().min(8000).max(192_000).default(44_100),
  })
  .strict();
export type SynthesizeOptions = z.input<typeof synthesizeOptionsSchema>;

/**
 * One effect, synthesised: mono, EFFECT_SECONDS[effect] long, its energy starting at the first
 * sample (the cue time is its onset), peak −3 dBFS. The same seed gives the same samples;
 * another seed a small variation (pitches, timings, rhythm) of the same sound.
 */
export function synthesizeEffect(effect: SoundEffect, options: SynthesizeOptions): PcmAudio {
  if (!(SOUND_EFFECTS as readonly string[]).includes(effect)) throw new ShenbiError('INVALID_INPUT', `Unknown sound effect "${String(effect)}"; known: ${SOUND_EFFECTS.join(', ')}.`);
  const parsed = synthesizeOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ShenbiError('INVALID_INPUT', `Bad sound-effect options: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')}.`);
  const { seed, sampleRate } = parsed.data;
  // Each effect gets its own stream from the seed, so one seed does not give related effects.
  const index = SOUND_EFFECTS.indexOf(effect);
  const random = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const length = Math.round(EFFECT_SECONDS[effect] * sampleRate);
  const raw = SYNTHESISERS[effect]({ sampleRate, length, random });
  return { sampleRate, samples: finish(raw, sampleRate) };
}
