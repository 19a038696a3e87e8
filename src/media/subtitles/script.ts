/** Character classes for laying out subtitle text: which scripts go without spaces, which punctuation binds to which side. */

/** Han, kana and Hangul: the scripts whose subtitle lines are counted short (16 characters). */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Scripts written without spaces between words (Korean uses spaces). */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303F\uFF00-\uFFEF]/u;

/** Punctuation that closes something and must never begin a line. */
export const CLOSING = '，。！？、；：”’）》」』】〕〉｝］,.!?;:)]}…‥%％·・～~';
/** Punctuation that opens something and must never end a line. */
export const OPENING = '“‘（《「『【〔〈｛［([{';
const SENTENCE_END = '。！？!?.…';
const CLAUSE_END = '，、；：,;:—–';
const TRAILING_CLOSERS = '”’）》」』】〕〉"\')]';

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

export function isClosing(ch: string): boolean {
  return CLOSING.includes(ch);
}

export function isOpening(ch: string): boolean {
  return OPENING.includes(ch);
}

/** True when every character is punctuation or a symbol (a token with nothing to say on its own). */
export function isPunctuationOnly(text: string): boolean {
  return /^[\p{P}\p{S}]+$/u.test(text);
}

/** How strongly a piece of text ends: 2 a sentence, 1 a clause, 0 neither. */
export function endStrength(text: string): 0 | 1 | 2 {
  let end = text.length;
  while (end > 0 && TRAILING_CLOSERS.includes(text[end - 1]!)) end--;
  const ch = text[end - 1];
  if (ch === undefined) return 0;
  if (SENTENCE_END.includes(ch)) return 2;
  if (CLAUSE_END.includes(ch)) return 1;
  return 0;
}

/** Whether two adjacent words are written with a space between them. */
export function spaceBetween(left: string, right: string): boolean {
  const a = left[left.length - 1];
  const b = right[0];
  if (a === undefined || b === undefined) return false;
  if (UNSPACED.test(a) || UNSPACED.test(b)) return false;
  if (isClosing(b) || isOpening(a)) return false;
  return true;
}

/** Length of a line as subtitle guidelines count it: one per character (code point). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
