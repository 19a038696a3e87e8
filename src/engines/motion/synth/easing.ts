/**
 * Timing curves. Gestures move along the minimum-jerk profile (Flash & Hogan 1985), the curve
 * human reaching movements follow: zero velocity and acceleration at both ends.
 */

import { clamp } from './math.ts';

/** Minimum-jerk ease, 0..1 → 0..1. */
export function easeInOut(t: number): number {
  const u = clamp(t, 0, 1);
  return u * u * u * (10 - 15 * u + 6 * u * u);
}

/** 0 → 1 → 0 over [0, 1], with flat ends: a bump for lifts and swings. */
export function bump(t: number): number {
  const u = clamp(t, 0, 1);
  return 16 * u * u * (1 - u) * (1 - u);
}

/**
 * An envelope that rises over `rise` seconds, holds, and falls over `fall` seconds, for a
 * segment of `duration` seconds; `time` is seconds from the segment's start.
 */
export function envelope(time: number, duration: number, rise: number, fall: number): number {
  const r = Math.min(rise, duration / 2);
  const f = Math.min(fall, duration / 2);
  if (time <= 0 || time >= duration) return 0;
  if (time < r) return easeInOut(time / r);
  if (time > duration - f) return easeInOut((duration - time) / f);
  return 1;
}

/** Where `time` falls in keyed phases: the index of the phase and 0..1 within it. */
export function phaseAt(time: number, boundaries: readonly number[]): { index: number; t: number } {
  for (let i = 0; i < boundaries.length - 1; i++) {
    const a = boundaries[i]!;
    const b = boundaries[i + 1]!;
    if (time < b || i === boundaries.length - 2) return { index: i, t: b > a ? clamp((time - a) / (b - a), 0, 1) : 1 };
  }
  return { index: 0, t: 0 };
}

/** Gaussian smoothing of a series, edges held (σ in samples). */
export function gaussianSmooth(values: Float64Array, sigma: number): Float64Array {
  if (sigma <= 0.3) return Float64Array.from(values);
  const radius = Math.ceil(sigma * 3);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -radius; k <= radius; k++) acc += weights[k + radius]! * values[clamp(i + k, 0, n - 1)]!;
    out[i] = acc / total;
  }
  return out;
}

/**
 * Smooths a series without ever exceeding it: a running minimum over ±radius followed by a
 * running mean over ±radius (a morphological opening's lower envelope). Each mean covers only
 * minima that include the sample itself, so the result is ≤ the input everywhere — used for
 * the pelvis height, which must stay low enough for both legs to reach their feet.
 */
export function smoothBelow(values: Float64Array, radius: number): Float64Array {
  const n = values.length;
  const minimum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = Infinity;
    for (let k = Math.max(0, i - radius); k <= Math.min(n - 1, i + radius); k++) m = Math.min(m, values[k]!);
    minimum[i] = m;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    let count = 0;
    for (let k = Math.max(0, i - radius); k <= Math.min(n - 1, i + radius); k++) {
      acc += minimum[k]!;
      count++;
    }
    out[i] = acc / count;
  }
  return out;
}
