import type { PcmAudio } from './pcm.ts';

/**
 * Band-limited resampling by a Blackman-windowed sinc (a fixed number of zero crossings),
 * with the cut-off at the lower Nyquist so downsampling does not alias. Quality close to
 * SoX's "medium"; fast enough for speech lengths in pure TypeScript.
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
  for (let n = 0; n < outLength; n++) {
    const center = n / ratio;
    const first = Math.max(0, Math.ceil(center - halfWidth));
    const last = Math.min(samples.length - 1, Math.floor(center + halfWidth));
    let sum = 0;
    let weightSum = 0;
    for (let k = first; k <= last; k++) {
      const x = k - center;
      const t = x * cutoff;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * x) / halfWidth);
      const weight = sinc * w;
      sum += samples[k]! * weight;
      weightSum += weight;
    }
    out[n] = weightSum === 0 ? 0 : sum / weightSum;
  }
  return { sampleRate: targetRate, samples: out };
}
