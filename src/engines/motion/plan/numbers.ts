/**
 * Numbers as people write them in motion prompts: digits, Chinese numerals (三, 十五, 两, 一百二十,
 * 一点五, 半) and English number words (three, twenty, a couple of).
 */

const CN_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 俩: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000, 万: 10_000 };

/** Characters a Chinese numeral is made of (for regular expressions). */
export const CN_NUMERAL_CHARS = '零〇一二两俩三四五六七八九十百千万点半';

const EN_WORDS: Readonly<Record<string, number>> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100, 'a hundred': 100, 'a couple of': 2, 'a few': 3, half: 0.5, 'half a': 0.5,
};

/** English number words, longest first (for regular expressions). */
export const EN_NUMBER_WORDS = Object.keys(EN_WORDS).sort((a, b) => b.length - a.length);

/** A number written with digits, a Chinese numeral or an English number word; undefined when it is none of these. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t);
  if (EN_WORDS[t] !== undefined) return EN_WORDS[t];
  return parseChineseNumber(t);
}

/** 三 → 3, 十五 → 15, 二十 → 20, 一百二十 → 120, 一点五 → 1.5, 三个半 / 三半 → 3.5, 半 → 0.5. */
export function parseChineseNumber(text: string): number | undefined {
  let t = text.replace(/个/g, '');
  if (t === '') return undefined;
  let half = 0;
  if (t.endsWith('半')) {
    half = 0.5;
    t = t.slice(0, -1);
    if (t === '') return 0.5;
  }
  const [whole, fraction] = t.split('点');
  const integer = parseChineseInteger(whole ?? '');
  if (integer === undefined) return undefined;
  if (fraction === undefined) return integer + half;
  let digits = '';
  for (const c of fraction) {
    const d = CN_DIGITS[c];
    if (d === undefined) return undefined;
    digits += String(d);
  }
  return digits === '' ? undefined : Number(`${integer}.${digits}`);
}

function parseChineseInteger(text: string): number | undefined {
  if (text === '') return undefined;
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  for (const c of text) {
    const d = CN_DIGITS[c];
    if (d !== undefined) {
      digit = d;
      continue;
    }
    const unit = CN_UNITS[c];
    if (unit === undefined) return undefined;
    if (unit === 10_000) {
      total += (section + (digit ?? 0)) * unit;
      section = 0;
    } else {
      // 十五: a leading 十 means 一十.
      section += (digit ?? 1) * unit;
    }
    digit = undefined;
  }
  return total + section + (digit ?? 0);
}
