import type { TimedPhoneme, TimedViseme } from '../types.ts';
import { phonemeVisemes } from './phoneme-table.ts';

/**
 * Timed phonemes → timed visemes. A diphthong or Mandarin final becomes its parts (ɑu: aa
 * then ou) in its own span; neighbouring equal visemes merge (m+b, two pauses) so a closure
 * or a pause is one segment with one centre.
 */
export function visemesFromPhonemes(phonemes: readonly TimedPhoneme[]): TimedViseme[] {
  const out: TimedViseme[] = [];
  for (const item of phonemes) {
    const span = item.end - item.start;
    if (!(span > 0) || !Number.isFinite(item.start)) continue;
    let at = item.start;
    for (const part of phonemeVisemes(item.phoneme).parts) {
      const end = Math.min(item.end, at + span * part.share);
      const prev = out.at(-1);
      if (prev !== undefined && prev.viseme === part.viseme && Math.abs(prev.end - at) < 1e-6) {
        out[out.length - 1] = { ...prev, end };
      } else if (end > at) {
        out.push({ viseme: part.viseme, start: at, end, ...(item.phoneme === '' ? {} : { phoneme: item.phoneme }) });
      }
      at = end;
    }
  }
  return out;
}
