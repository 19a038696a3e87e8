/**
 * The small DSP kit the effects are built from: RBJ-cookbook biquads, seeded noise, envelopes
 * and the final level. Everything is plain loops over Float64Array, so a seed gives the same
 * samples on every platform (no Math.random, no platform-specific math beyond Math.sin/exp).
 */

export type BiquadKind = 'lowpass' | 'highpass' | 'bandpass';

/** A second-order filter (Audio EQ Cookbook, transposed direct form II); retunable per sample. */
export class Biquad {
  #b0 = 1;
  #b1 = 0;
  #b2 = 0;
  #a1 = 0;
  #a2 = 0;
  #z1 = 0;
  #z2 = 0;
  readonly #kind: BiquadKind;
  readonly #sampleRate: number;

  constructor(kind: BiquadKind, sampleRate: number, hz: number, q = Math.SQRT1_2) {
    this.#kind = kind;
    this.#sampleRate = sampleRate;
    this.tune(hz, q);
  }

  /** New centre/corner frequency and Q; the filter's state is kept, so sweeps stay smooth. */
  tune(hz: number, q: number): void {
    const w0 = (2 * Math.PI * Math.min(Math.max(hz, 10), this.#sampleRate * 0.45)) / this.#sampleRate;
    const cos = Math.cos(w0);
    const alpha = Math.sin(w0) / (2 * q);
    const a0 = 1 + alpha;
    let b0: number, b1: number, b2: number;
    if (this.#kind === 'lowpass') [b0, b1, b2] = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2];
    else if (this.#kind === 'highpass') [b0, b1, b2] = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
    // Constant 0 dB peak gain: the band's centre passes at unity whatever the Q.
    else [b0, b1, b2] = [alpha, 0, -alpha];
    this.#b0 = b0 / a0;
    this.#b1 = b1 / a0;
    this.#b2 = b2 / a0;
    this.#a1 = (-2 * cos) / a0;
    this.#a2 = (1 - alpha) / a0;
  }

  process(x: number): number {
    const y = this.#b0 * x + this.#z1;
    this.#z1 = this.#b1 * x - this.#a1 * y + this.#z2;
    this.#z2 = this.#b2 * x - this.#a2 * y;
    return y;
  }
}

/** Uniform white noise in [−1, 1) from a seeded generator. */
export function whiteNoise(random: () => number): number {
  return random() * 2 - 1;
}

/** A value in [low, high) from the seeded generator. */
export function between(random: () => number, low: number, high: number): number {
  return low + (high - low) * random();
}

/** Slowly wandering control signal in [0, 1]: smoothed random steps, `hz` new targets a second. */
export function wander(random: () => number, length: number, sampleRate: number, hz: number): Float64Array {
  const out = new Float64Array(length);
  const step = Math.max(1, Math.round(sampleRate / hz));
  let from = random();
  let to = random();
  for (let i = 0; i < length; i++) {
    const phase = (i % step) / step;
    if (phase === 0 && i > 0) {
      from = to;
      to = random();
    }
    // Raised-cosine interpolation between targets: no corners, so no audible zipper.
    out[i] = from + (to - from) * (0.5 - 0.5 * Math.cos(Math.PI * phase));
  }
  return out;
}

/** exp(−t/τ) for t ≥ 0, with a linear attack of `attack` seconds (a few samples stop the click). */
export function strike(t: number, decay: number, attack = 0.0005): number {
  if (t < 0) return 0;
  const rise = t < attack ? t / attack : 1;
  return rise * Math.exp(-t / decay);
}

/** Linear fades in place (seconds). */
export function fade(samples: Float64Array, sampleRate: number, inSeconds: number, outSeconds: number): void {
  const fadeIn = Math.min(samples.length, Math.round(inSeconds * sampleRate));
  const fadeOut = Math.min(samples.length, Math.round(outSeconds * sampleRate));
  for (let i = 0; i < fadeIn; i++) samples[i] = samples[i]! * (i / fadeIn);
  for (let i = 0; i < fadeOut; i++) {
    const at = samples.length - 1 - i;
    samples[at] = samples[at]! * (i / fadeOut);
  }
}

/** The level every effect leaves at: peak −3 dBFS, headroom for the mixer. */
export const EFFECT_PEAK = 10 ** (-3 / 20);

/** Removes DC (a one-pole high-pass at ~20 Hz), scales the peak to EFFECT_PEAK, returns Float32. */
export function finish(samples: Float64Array, sampleRate: number): Float32Array {
  const r = Math.exp((-2 * Math.PI * 20) / sampleRate);
  let previousIn = 0;
  let previousOut = 0;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    const y = x - previousIn + r * previousOut;
    previousIn = x;
    previousOut = y;
    samples[i] = y;
    peak = Math.max(peak, Math.abs(y));
  }
  const out = new Float32Array(samples.length);
  const gain = peak > 0 ? EFFECT_PEAK / peak : 0;
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * gain;
  return out;
}

const SINE_STEPS = 8192;
const SINE_TABLE = (() => {
  const table = new Float64Array(SINE_STEPS + 1);
  for (let i = 0; i <= SINE_STEPS; i++) table[i] = Math.sin((2 * Math.PI * i) / SINE_STEPS);
  return table;
})();

/**
 * sin(2π·cycles) from a table with linear interpolation (error < 1e-7): several times faster
 * than Math.sin in the additive and FM loops, which call it millions of times.
 */
export function sineCycles(cycles: number): number {
  const position = (cycles - Math.floor(cycles)) * SINE_STEPS;
  const index = position | 0;
  const low = SINE_TABLE[index]!;
  return low + (SINE_TABLE[index + 1]! - low) * (position - index);
}
