import type { TimedText } from '../../core/timing.ts';
import { splitSentences } from '../../media/text/sentences.ts';

/**
 * Sentence timings from timed words: each sentence of the script runs from its first word's
 * start to its last word's end. Words are found in the script in order (their text is taken
 * from it), so a word belongs to the sentence its first character falls in.
 */
export function sentencesFromWords(script: string, words: readonly TimedText[]): TimedText[] {
  const ranges: { text: string; from: number }[] = [];
  let cursor = 0;
  for (const sentence of splitSentences(script)) {
    const at = script.indexOf(sentence, cursor);
    const from = at < 0 ? cursor : at;
    ranges.push({ text: sentence, from });
    cursor = from + sentence.length;
  }
  const out: TimedText[] = [];
  let wordCursor = 0;
  let current = -1;
  let start = 0;
  let end = 0;
  for (const word of words) {
    const at = word.text === '' ? -1 : script.indexOf(word.text, wordCursor);
    const offset = at < 0 ? wordCursor : at;
    if (at >= 0) wordCursor = at + word.text.length;
    let index = Math.max(current, 0);
    while (index + 1 < ranges.length && ranges[index + 1]!.from <= offset) index++;
    if (index !== current) {
      if (current >= 0) out.push({ text: ranges[current]!.text, start, end });
      current = index;
      start = word.start;
      end = word.end;
    }
    end = Math.max(end, word.end);
  }
  if (current >= 0 && ranges[current] !== undefined) out.push({ text: ranges[current]!.text, start, end });
  return out;
}
