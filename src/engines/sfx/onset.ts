import type { PcmAudio } from '../../media/audio/pcm.ts';

export interface OnsetOptions {
  /** RMS window (seconds). Default 0.01. */
  windowSeconds?: number;
  /** Step between windows (seconds). Default 0.0025. */
  hopSeconds?: number;
  /** How far below the loudest window the onset window may be (dB). Default −20. */
  thresholdDb?: number;
}

/**
 * When a sound is heard to start (seconds): the centre of the first short window whose RMS
 * comes within `thresholdDb` of the loudest window's. The effects are placed so that this is
 * their cue time; the tests check it is within 30 ms of the first sample. −1 for silence.
 */
export function effectOnsetSeconds(audio: PcmAudio, options: OnsetOptions = {}): number {
  const { samples, sampleRate } = audio;
  const window = Math.max(1, Math.round((options.windowSeconds ?? 0.01) * sampleRate));
  const hop = Math.max(1, Math.round((options.hopSeconds ?? 0.0025) * sampleRate));
  const levels: number[] = [];
  for (let start = 0; start + window <= Math.max(samples.length, window); start += hop) {
    let sum = 0;
    const end = Math.min(samples.length, start + window);
    for (let i = start; i < end; i++) sum += samples[i]! * samples[i]!;
    levels.push(Math.sqrt(sum / window));
  }
  const loudest = Math.max(0, ...levels);
  if (loudest === 0) return -1;
  const threshold = loudest * 10 ** ((options.thresholdDb ?? -20) / 20);
  const first = levels.findIndex((level) => level >= threshold);
  return (first * hop + window / 2) / sampleRate;
}
