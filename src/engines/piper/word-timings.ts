import type { TimedText } from '../../core/timing.ts';

const HAN = /\p{Script=Han}/u;

/**
 * Piper's published voices output audio only (no per-phoneme durations), so word times are
 * an approximation: the sentence's span is shared among its words in proportion to their
 * length (Han characters count as one word each). Starts increase; all lie inside the span.
 */
export function approximateWordTimings(sentence: string, start: number, end: number): TimedText[] {
  const words: string[] = [];
  for (const token of sentence.split(/\s+/)) {
    let latin = '';
    for (const char of token) {
      if (HAN.test(char)) {
        if (latin !== '') words.push(latin);
        latin = '';
        words.push(char);
      } else if (/[\p{L}\p{N}'’-]/u.test(char)) latin += char;
    }
    if (latin !== '') words.push(latin);
  }
  const weight = (word: string) => (HAN.test(word) ? 2 : [...word].length);
  const total = words.reduce((sum, word) => sum + weight(word), 0);
  if (total === 0) return [];
  const out: TimedText[] = [];
  let at = 0;
  for (const word of words) {
    const from = start + ((end - start) * at) / total;
    at += weight(word);
    out.push({ text: word, start: from, end: start + ((end - start) * at) / total });
  }
  return out;
}
