/**
 * Text as the term matcher sees it, so trivial evasions change nothing: NFKC (full-width
 * Ｆｏｏ → foo, compatibility forms), case folding, invisible characters dropped
 * (zero-width spaces and joiners, BOM, soft hyphen, variation selectors: all of Unicode
 * category Cf), a few Cyrillic/Greek look-alikes mapped to Latin, every run of
 * punctuation, symbols or spaces turned into one space, that space removed between two
 * CJK characters (儿 童 → 儿童, 儿·童 → 儿童), and spelled-out letters joined
 * (c h i l d → child).
 */
export function normalizeForMatching(text: string): string {
  let out = text.normalize('NFKC').toLowerCase();
  out = out.replace(/[\p{Cf}\u034f\u115f\u1160\u3164\ufe00-\ufe0f]/gu, '');
  out = out.replace(/[\u0400-\u04ff\u0370-\u03ff]/g, (c) => LOOKALIKES[c] ?? c);
  out = out.replace(/[^\p{L}\p{N}]+/gu, ' ');
  out = out.replace(CJK_GAP, '$1');
  out = out.replace(SPELLED_OUT, (run) => run.replace(/ /g, ''));
  return out.trim();
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
/** A space with a CJK character on both sides (lookahead keeps the second one for the next match). */
const CJK_GAP = new RegExp(`([${CJK}]) (?=[${CJK}])`, 'gu');
/** Three or more single letters separated by single spaces. */
const SPELLED_OUT = /(?<![\p{L}\p{N}])\p{L}(?: \p{L}(?![\p{L}\p{N}])){2,}/gu;

const LOOKALIKES: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};
