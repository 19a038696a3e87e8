/**
 * Time-domain pitch-synchronous overlap-add (TD-PSOLA) for a short, steady-pitched sound
 * (a monotone syllable): grains two source periods long, centred on source pitch marks, are
 * laid down one target period apart, so the pitch changes while the formants (the vowel's
 * colour) stay; grains are repeated or skipped to reach the target length.
 */

/** Fundamental frequency by normalised autocorrelation over the loudest part; undefined if unvoiced. */
export function estimateF0(samples: Float32Array, sampleRate: number, minHz = 70, maxHz = 450): number | undefined {
  const frame = Math.min(samples.length, Math.round(sampleRate * 0.08));
  if (frame < sampleRate / minHz * 2) return undefined;
  // The loudest 80 ms window: the vowel.
  let bestStart = 0;
  let bestEnergy = -1;
  const hop = Math.max(1, Math.round(frame / 4));
  for (let start = 0; start + frame <= samples.length; start += hop) {
    let e = 0;
    for (let i = start; i < start + frame; i++) e += samples[i]! * samples[i]!;
    if (e > bestEnergy) {
      bestEnergy = e;
      bestStart = start;
    }
  }
  const x = samples.subarray(bestStart, bestStart + frame);
  const minLag = Math.floor(sampleRate / maxHz);
  const maxLag = Math.min(frame - 1, Math.ceil(sampleRate / minHz));
  const scores = new Float64Array(maxLag + 2);
  let bestScore = 0;
  for (let lag = minLag; lag <= maxLag; lag++) {
    let num = 0;
    let a = 0;
    let b = 0;
    for (let i = 0; i + lag < x.length; i++) {
      num += x[i]! * x[i + lag]!;
      a += x[i]! * x[i]!;
      b += x[i + lag]! * x[i + lag]!;
    }
    scores[lag] = num / Math.sqrt(a * b + 1e-12);
    if (scores[lag]! > bestScore) bestScore = scores[lag]!;
  }
  if (bestScore <= 0.5) return undefined;
  // A periodic signal correlates as well at 2, 3… periods as at one: take the shortest lag that
  // peaks within 10 % of the best, or rounding picks a sub-octave (a period-doubled voice).
  for (let lag = minLag; lag <= maxLag; lag++) {
    const score = scores[lag]!;
    if (score >= 0.9 * bestScore && score >= scores[lag - 1]! && score >= scores[lag + 1]!) return sampleRate / lag;
  }
  return undefined;
}

/** Resynthesises `samples` (pitch `sourceHz`) at `targetHz`, `targetLength` samples long. */
export function psola(samples: Float32Array, sampleRate: number, sourceHz: number, targetHz: number, targetLength: number): Float32Array {
  const out = new Float32Array(targetLength);
  if (samples.length === 0 || targetLength === 0) return out;
  const sourcePeriod = sampleRate / sourceHz;
  const targetPeriod = sampleRate / targetHz;
  const half = Math.max(2, Math.round(sourcePeriod));
  const window = new Float32Array(2 * half + 1);
  for (let i = 0; i < window.length; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (window.length - 1));
  // Hann grains spaced a target period apart sum to about (2·half)/(2·targetPeriod); keep the level.
  const gain = Math.min(2, targetPeriod / sourcePeriod);
  const stretch = samples.length / targetLength;
  for (let t = 0; t < targetLength; t += targetPeriod) {
    const sourceCentre = Math.round(Math.round((t * stretch) / sourcePeriod) * sourcePeriod);
    const centre = Math.round(t);
    for (let k = -half; k <= half; k++) {
      const src = sourceCentre + k;
      const dst = centre + k;
      if (src < 0 || src >= samples.length || dst < 0 || dst >= targetLength) continue;
      out[dst]! += samples[src]! * window[k + half]! * gain;
    }
  }
  return out;
}
