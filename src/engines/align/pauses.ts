import type { TimedText } from '../../core/timing.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { blockLevels, type SoundSpanOptions } from './silence.ts';

/** A stretch of a recording with no speech in it, in seconds. */
export interface Pause {
  readonly start: number;
  readonly end: number;
}

export interface PauseOptions extends SoundSpanOptions {
  /**
   * Quiet shorter than this is not a pause: stop closures and the gaps between syllables last
   * up to ~150 ms, so only longer quiet separates words. Default 0.2 s.
   */
  minPauseSeconds?: number;
}

/**
 * The pauses of a recording: runs of 10 ms blocks below the sound threshold that soundSpan
 * uses (relative to the loudest block and the recording's own noise floor), at least
 * `minPauseSeconds` long. Energy rather than a VAD model, so alignment needs no model download.
 */
export function findPauses(audio: PcmAudio, options: PauseOptions = {}): Pause[] {
  const levels = blockLevels(audio, options);
  if (levels === undefined) return [];
  const { energy, threshold, blockSeconds } = levels;
  const minBlocks = Math.ceil((options.minPauseSeconds ?? 0.2) / blockSeconds - 1e-9);
  const duration = audio.samples.length / audio.sampleRate;
  const pauses: Pause[] = [];
  let runStart = -1;
  for (let b = 0; b <= energy.length; b++) {
    const quiet = b < energy.length && !(energy[b]! >= threshold && energy[b]! > 0);
    if (quiet && runStart < 0) runStart = b;
    if (!quiet && runStart >= 0) {
      if (b - runStart >= minBlocks) pauses.push({ start: runStart * blockSeconds, end: Math.min(duration, b * blockSeconds) });
      runStart = -1;
    }
  }
  return pauses;
}

/**
 * Keeps each word off the pauses. DTW lets a word absorb a pause that the reference voice did
 * not make (its end then lands where the next phrase starts): a word is cut down to its longest
 * stretch of sound between pauses, which trims a pause off its end or start. A word with no
 * sound at all inside it is left as it was. Starts stay in order.
 */
export function trimWordsToSound(words: readonly TimedText[], pauses: readonly Pause[]): TimedText[] {
  const out: TimedText[] = [];
  let previousStart = 0;
  for (const word of words) {
    let best: { start: number; end: number } | undefined;
    let cursor = word.start;
    const consider = (start: number, end: number): void => {
      if (end > start && (best === undefined || end - start > best.end - best.start)) best = { start, end };
    };
    for (const pause of pauses) {
      if (pause.end <= word.start) continue;
      if (pause.start >= word.end) break;
      consider(cursor, Math.min(word.end, pause.start));
      cursor = Math.max(cursor, pause.end);
    }
    consider(cursor, word.end);
    const trimmed = best ?? { start: word.start, end: word.end };
    const start = Math.max(previousStart, trimmed.start);
    const end = Math.max(start, trimmed.end);
    out.push({ ...word, start, end });
    previousStart = start;
  }
  return out;
}
