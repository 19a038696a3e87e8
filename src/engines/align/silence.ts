import type { PcmAudio } from '../../media/audio/pcm.ts';

export interface SoundSpan {
  /** Seconds from the start of the audio to the first sound (minus the margin). */
  readonly start: number;
  /** Seconds from the start of the audio to the end of the last sound (plus the margin). */
  readonly end: number;
}

export interface SoundSpanOptions {
  /** A 10 ms block counts as sound when its RMS is within this many dB of the loudest block. Default 40. */
  relativeDb?: number;
  /** …and above this absolute level (dBFS), so faint hiss is never sound. Default −60. */
  floorDb?: number;
  /**
   * …and this many dB above the recording's noise floor (its 10th-percentile block), but never
   * more than 25 dB below the loudest block, so room noise before the first word is not sound. Default 10.
   */
  aboveNoiseDb?: number;
  /** Silence kept on each side, so both signals in an alignment start and end alike. Default 0.05 s. */
  marginSeconds?: number;
}

/** Mean-square energy of each 10 ms block, and the level above which a block counts as sound. */
export interface BlockLevels {
  /** Seconds per block. */
  readonly blockSeconds: number;
  readonly energy: Float64Array;
  /** Blocks at or above this (and above zero) are sound. */
  readonly threshold: number;
}

/** The 10 ms block energies of `audio` and the sound threshold (see SoundSpanOptions). Undefined for empty audio. */
export function blockLevels(audio: PcmAudio, options: SoundSpanOptions = {}): BlockLevels | undefined {
  const { sampleRate, samples } = audio;
  const block = Math.max(1, Math.round(sampleRate * 0.01));
  const blocks = Math.ceil(samples.length / block);
  if (blocks === 0) return undefined;
  const energy = new Float64Array(blocks);
  let loudest = 0;
  for (let b = 0; b < blocks; b++) {
    const from = b * block;
    const to = Math.min(samples.length, from + block);
    let sum = 0;
    for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
    energy[b] = sum / (to - from);
    if (energy[b]! > loudest) loudest = energy[b]!;
  }
  const relative = loudest * 10 ** (-(options.relativeDb ?? 40) / 10);
  const floor = 10 ** ((options.floorDb ?? -60) / 10);
  const sorted = Float64Array.from(energy).sort();
  const noise = sorted[Math.floor(0.1 * (blocks - 1))]! * 10 ** ((options.aboveNoiseDb ?? 10) / 10);
  const threshold = Math.max(relative, floor, Math.min(noise, loudest * 10 ** (-25 / 10)));
  return { blockSeconds: block / sampleRate, energy, threshold };
}

/**
 * Where the sound is: from the first to the last 10 ms block loud enough to be speech.
 * Undefined for silent (or empty) audio.
 */
export function soundSpan(audio: PcmAudio, options: SoundSpanOptions = {}): SoundSpan | undefined {
  const levels = blockLevels(audio, options);
  if (levels === undefined) return undefined;
  const { energy, threshold, blockSeconds } = levels;
  let first = -1;
  let last = -1;
  for (let b = 0; b < energy.length; b++) {
    if (energy[b]! >= threshold && energy[b]! > 0) {
      if (first < 0) first = b;
      last = b;
    }
  }
  if (first < 0) return undefined;
  const duration = audio.samples.length / audio.sampleRate;
  const margin = options.marginSeconds ?? 0.05;
  return {
    start: Math.max(0, first * blockSeconds - margin),
    end: Math.min(duration, (last + 1) * blockSeconds + margin),
  };
}

/** The samples between two times (seconds). */
export function slicePcm(audio: PcmAudio, start: number, end: number): PcmAudio {
  const from = Math.max(0, Math.round(start * audio.sampleRate));
  const to = Math.min(audio.samples.length, Math.round(end * audio.sampleRate));
  return { sampleRate: audio.sampleRate, samples: audio.samples.subarray(from, Math.max(from, to)) };
}
