import type { TimedText } from '../../../core/timing.ts';
import type { TimedPhoneme } from '../types.ts';
import { stripTone, VOWEL_LETTERS } from './phoneme-normalize.ts';

/** Text → eSpeak IPA ('_' between phonemes, ' ' between words, '|' between clauses). */
export type PhonemizeText = (text: string) => Promise<string>;

/** A vowel takes this many times a consonant's share of its word. */
const VOWEL_WEIGHT = 2.2;

/** eSpeak's phonemize output as a flat list of phonemes, tone marks dropped (its events carry none). */
export function splitPhonemes(ipa: string): string[] {
  return ipa
    .split(/[\s|_]+/u)
    .map((token) => stripTone(token.trim()))
    .filter((token) => token !== '' && !/^\(.*\)$/u.test(token));
}

function isVowel(phoneme: string): boolean {
  return [...phoneme].some((c) => VOWEL_LETTERS.has(c) || c === 'ɚ' || c === 'ɝ');
}

/**
 * Phoneme timings for audio the user brought: each aligned word (from forced alignment) is
 * phonemized with eSpeak and its phonemes spread over the word's span, vowels longer than
 * consonants. Gaps between words become pauses (''). A word eSpeak gives no phonemes for
 * (punctuation) leaves its span silent.
 */
export async function phonemesFromWords(words: readonly TimedText[], phonemize: PhonemizeText): Promise<TimedPhoneme[]> {
  const cache = new Map<string, string[]>();
  const out: TimedPhoneme[] = [];
  let cursor = 0;
  for (const word of words) {
    if (!(word.end > word.start) || word.start < cursor - 1e-9) continue; // empty or overlapping: skip
    const text = word.text.trim();
    let phonemes = cache.get(text);
    if (phonemes === undefined) {
      phonemes = text === '' ? [] : splitPhonemes(await phonemize(text));
      cache.set(text, phonemes);
    }
    if (phonemes.length === 0) continue;
    if (word.start > cursor + 1e-9) out.push({ phoneme: '', start: cursor, end: word.start });
    const weights = phonemes.map((p) => (isVowel(p) ? VOWEL_WEIGHT : 1));
    const total = weights.reduce((a, b) => a + b, 0);
    let at = word.start;
    phonemes.forEach((phoneme, i) => {
      const end = i === phonemes.length - 1 ? word.end : at + ((word.end - word.start) * weights[i]!) / total;
      out.push({ phoneme, start: at, end });
      at = end;
    });
    cursor = word.end;
  }
  return out;
}
