/**
 * eSpeak's phoneme strings carry marks that do not change the mouth: stress (ˈ ˌ), length
 * (ː ˑ), Mandarin tone numbers (phonemize writes 'ˈɑu2', 'ˈɑ5', and tone 3 as 'ɜ' because its
 * IPA output turns the digit 3 into ɜ: 'ˈuəɜ'), the '.' of retroflex/apical sounds ('s.' =
 * pinyin sh, 'i.' = the -i of shi), the 'h' of aspiration ('th', 'tɕh', 'ts.h'), the '-' of
 * Mandarin 'o-' (pinyin e). This reduces one to the key the viseme table uses.
 */

/** Vowel letters eSpeak writes (English and Mandarin), for splitting and fallbacks. */
export const VOWEL_LETTERS = new Set([...'aeiouyæɑɐɒɔəɚɛɜɝɞɤɨɪʉʊʌʏøœɘɵɯ']);

const MARKS = /[ˈˌːˑ'",%=]/gu;
const TONE_DIGITS = /[0-9]+$/u;

/** Drops a Mandarin tone mark from a phonemized token ('ˈɑu2' → 'ˈɑu', 'ˈuəɜ' → 'ˈuə'); English 'ɜː' stays. */
export function stripTone(phoneme: string): string {
  const token = phoneme.replace(TONE_DIGITS, '');
  // A trailing ɜ in a token that already has a vowel is tone 3 ('ˈərɜ', 'ˈonɡɜ'); English writes its ɜ long ('ɜː').
  if (token.length > 1 && token.endsWith('ɜ') && [...token.slice(0, -1)].some((c) => VOWEL_LETTERS.has(c))) return token.slice(0, -1);
  return token;
}

/** The table key: no stress, length, tone or diacritics; retroflex written as IPA (ʂ, tʂ, ɨ); no aspiration. */
export function phonemeKey(phoneme: string): string {
  // Combining diacritics (the dental ̪ of 'i̪', the syllabic ̩ of 'n̩') do not change the viseme.
  let key = stripTone(phoneme.trim()).normalize('NFD').replace(/\p{M}/gu, '').replace(MARKS, '').replace(/\u0261/gu, 'g');
  // eSpeak's dot marks retroflex consonants (s. = pinyin sh, ts. = zh) and the apical -i (i.).
  key = key.replace(/s\./gu, 'ʂ').replace(/i\./gu, 'ɨ').replace(/\./gu, '');
  // Aspiration: 'th', 'kh', 'ph', 'tsh', 'tɕh', 'tʂh' — an 'h' after a consonant letter.
  if (key.length > 1 && key.endsWith('h') && !VOWEL_LETTERS.has(key.at(-2)!)) key = key.slice(0, -1);
  return key;
}
