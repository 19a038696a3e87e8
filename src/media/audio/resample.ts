import type { PcmAudio } from './pcm.ts';

/** Kernel samples per input sample: the windowed sinc is read from a table, linearly interpolated. */
const TABLE_RESOLUTION = 512;

/**
 * Band-limited resampling by a Blackman-windowed sinc (a fixed number of zero crossings),
 * with the cut-off at the lower Nyquist so downsampling does not alias. The kernel is
 * tabulated once per call, so each tap costs a lookup rather than a sin and two cosines.
 */
export function resample(audio: PcmAudio, targetRate: number, zeroCrossings = 16): PcmAudio {
  const { sampleRate, samples } = audio;
  if (!Number.isFinite(targetRate) || targetRate <= 0) throw new RangeError(`bad target sample rate ${targetRate}`);
  if (targetRate === sampleRate) return audio;
  const ratio = targetRate / sampleRate;
  const outLength = Math.max(0, Math.round(samples.length * ratio));
  const out = new Float32Array(outLength);
  const cutoff = Math.min(1, ratio); // relative to the input Nyquist
  const halfWidth = zeroCrossings / cutoff; // in input samples
  const tableLength = Math.ceil(halfWidth * TABLE_RESOLUTION) + 2;
  const table = new Float64Array(tableLength);
  for (let i = 0; i < tableLength; i++) {
    const x = i / TABLE_RESOLUTION;
    if (x >= halfWidth) break;
    const t = x * cutoff;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    table[i] = sinc * (0.42 + 0.5 * Math.cos((Math.PI * x) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * x) / halfWidth));
  }
  for (let n = 0; n < outLength; n++) {
    const center = n / ratio;
    const first = Math.max(0, Math.ceil(center - halfWidth));
    const last = Math.min(samples.length - 1, Math.floor(center + halfWidth));
    let sum = 0;
    let weightSum = 0;
    for (let k = first; k <= last; k++) {
      const position = Math.abs(k - center) * TABLE_RESOLUTION;
      const index = Math.floor(position);
      const frac = position - index;
      const weight = table[index]! + (table[index + 1]! - table[index]!) * frac;
      sum += samples[k]! * weight;
      weightSum += weight;
    }
    out[n] = weightSum === 0 ? 0 : sum / weightSum;
  }
  return { sampleRate: targetRate, samples: out };
}
