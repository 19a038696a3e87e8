import type { PcmAudio } from './pcm.ts';

/**
 * Cuts or pads (with silence) a signal to exactly `length` samples, then fades it in and out
 * (raised-cosine ramps, seconds): a music bed that starts and stops cleanly wherever it is cut.
 * A new buffer; the input is left alone.
 */
export function fitWithFades(audio: PcmAudio, length: number, fadeInSeconds: number, fadeOutSeconds: number): PcmAudio {
  const out = new Float32Array(length);
  out.set(audio.samples.length > length ? audio.samples.subarray(0, length) : audio.samples);
  const fadeIn = Math.min(length, Math.round(fadeInSeconds * audio.sampleRate));
  const fadeOut = Math.min(length, Math.round(fadeOutSeconds * audio.sampleRate));
  for (let i = 0; i < fadeIn; i++) out[i] = out[i]! * rampUp(i / fadeIn);
  for (let i = 0; i < fadeOut; i++) out[length - 1 - i] = out[length - 1 - i]! * rampUp(i / fadeOut);
  return { sampleRate: audio.sampleRate, samples: out };
}

/** 0 → 1 along half a cosine: no click at either end. */
function rampUp(x: number): number {
  return 0.5 - 0.5 * Math.cos(Math.PI * x);
}
