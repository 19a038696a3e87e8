import type { SoundEffect } from '../short/short-script.ts';

/**
 * How long each synthesised effect lasts (seconds). Short hits are as long as their decay;
 * ambient beds (rain, wind, crowd, applause) are ~3 s with a fade-out, long enough to read as
 * a place, short enough to sit under one scene's narration.
 */
export const EFFECT_SECONDS: Readonly<Record<SoundEffect, number>> = Object.freeze({
  whoosh: 0.9,
  pop: 0.3,
  chime: 2.5,
  bell: 3.5,
  rain: 3,
  wind: 3,
  crowd: 3,
  applause: 3,
  footsteps: 2.4,
  typing: 2,
  heartbeat: 2.2,
  firework: 3,
  thunder: 4,
});

/** What every effect's synthesiser is given: its length in samples, the rate and the seeded generator. */
export interface EffectCanvas {
  readonly sampleRate: number;
  readonly length: number;
  readonly random: () => number;
}
