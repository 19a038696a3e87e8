import type { BuiltInObject } from './types.ts';

/**
 * Reads the words of a Chinese or English prompt that choose and parameterise a built-in
 * object: which object, a colour, a size word and a count of a repeated feature. Plain word
 * lists rather than a model: this path is the offline one.
 */

export interface PromptWords {
  /** The built-in object the prompt names (its `id`). */
  objectId?: string;
  /** The colour word as written (红, gold…) and its #rrggbb. */
  colourWord?: string;
  colour?: string;
  /** Relative size: 1 when no size word. */
  scale?: number;
  /** A count of the chosen object's repeated feature (七层 → 7, "three legs" → 3); never a quantity of objects (一盏, 一把, "two chairs"). */
  count?: number;
}

/** Generic words that choose an object only when no more specific word does ("a trophy cup" is a trophy). */
const WEAK_WORDS = new Set(['cup', 'blade', 'seat', 'tower', 'building', 'bottle', 'jar', 'home', '杯子', '瓶子', '瓶', '桌', '椅', '房']);

const COLOURS: ReadonlyArray<{ words: readonly string[]; hex: string }> = [
  { words: ['粉红', '粉色', '粉', 'pink'], hex: '#f2a0bc' },
  { words: ['紫红', 'magenta', 'crimson'], hex: '#9b1b4a' },
  { words: ['金黄', '金色', '金', 'gold', 'golden'], hex: '#d4af37' },
  { words: ['青铜', '古铜', '铜', 'bronze', 'copper'], hex: '#b08d57' },
  { words: ['红', '朱', '赤', 'red', 'scarlet'], hex: '#c8161d' },
  { words: ['天蓝', 'sky blue', 'light blue'], hex: '#6fa8dc' },
  { words: ['蓝', 'blue', 'navy'], hex: '#2a5caa' },
  { words: ['绿', 'green'], hex: '#2e8b3d' },
  { words: ['青', 'cyan', 'teal', 'turquoise', 'celadon'], hex: '#3a8f8a' },
  { words: ['白', 'white'], hex: '#f2f2ee' },
  { words: ['黑', 'black'], hex: '#1a1a1a' },
  { words: ['黄', 'yellow'], hex: '#e8c21a' },
  { words: ['紫', 'purple', 'violet'], hex: '#6b3fa0' },
  { words: ['银', 'silver'], hex: '#c0c0c8' },
  { words: ['橙', '橘', 'orange'], hex: '#e8731a' },
  { words: ['棕', '褐', '咖啡色', 'brown'], hex: '#6b4226' },
  { words: ['灰', 'grey', 'gray'], hex: '#808080' },
];

const SIZES: ReadonlyArray<{ words: readonly string[]; scale: number }> = [
  { words: ['巨大', '巨型', '超大', '特大', '庞大', 'huge', 'giant', 'gigantic', 'enormous', 'massive', 'colossal'], scale: 2.5 },
  { words: ['迷你', '微型', '袖珍', '小小', 'tiny', 'mini', 'miniature'], scale: 0.35 },
  { words: ['大', 'big', 'large', 'tall', 'great'], scale: 1.5 },
  { words: ['小', 'small', 'little', 'short'], scale: 0.6 },
];

const ZH_DIGITS: Readonly<Record<string, number>> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const EN_NUMBERS: Readonly<Record<string, number>> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, thirteen: 13 };

const ZH_NUMBER = '(?:[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]|\\d{1,3})';
/** Measure words that may stand between a number and a feature (四条腿, 十二根骨); those of whole objects (盏, 把, 张, 座…) are not features. */
const ZH_MEASURE = '(?:条|根|只|个|片|扇|道|块|圈)?';
const EN_NUMBER = `(?:\\d{1,3}|${Object.keys(EN_NUMBERS).join('|')})`;

/** The count of the chosen object's repeated feature: a number right before one of its feature words. */
function featureCount(text: string, words: NonNullable<BuiltInObject['countWords']>): number | undefined {
  const alternatives = (list: readonly string[]) => [...list].sort((a, b) => b.length - a.length).map(escape).join('|');
  const hits: Array<{ index: number; count: number }> = [];
  if (words.zh.length > 0) {
    const zh = new RegExp(`(${ZH_NUMBER})${ZH_MEASURE}(?:${alternatives(words.zh)})`, 'u').exec(text);
    if (zh !== null) hits.push({ index: zh.index, count: zhNumber(zh[1]!) });
  }
  if (words.en.length > 0) {
    const en = new RegExp(`(?<![a-z0-9])(${EN_NUMBER})[\\s-]*(?:${alternatives(words.en)})(?![a-z])`, 'u').exec(text);
    if (en !== null) hits.push({ index: en.index, count: EN_NUMBERS[en[1]!] ?? Number(en[1]) });
  }
  const first = hits.sort((a, b) => a.index - b.index)[0];
  return first !== undefined && Number.isInteger(first.count) && first.count > 0 ? first.count : undefined;
}

function zhNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ten = text.indexOf('十');
  if (ten < 0) return ZH_DIGITS[text] ?? Number.NaN;
  const tens = ten === 0 ? 1 : (ZH_DIGITS[text.slice(0, ten)] ?? Number.NaN);
  const units = ten === text.length - 1 ? 0 : (ZH_DIGITS[text.slice(ten + 1)] ?? Number.NaN);
  return tens * 10 + units;
}

const isLatin = (word: string) => /^[a-z][a-z ]*$/.test(word);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** English words match whole (with a plural); Chinese words match anywhere. */
function wordPattern(word: string): RegExp {
  if (!isLatin(word)) return new RegExp(escape(word), 'gu');
  const stem = escape(word);
  const plural = word.endsWith('y') ? `(?:${stem}|${escape(word.slice(0, -1))}ies)` : `${stem}(?:s|es)?`;
  return new RegExp(`(?<![a-z])${plural}(?![a-z])`, 'gu');
}

interface Found<T> {
  value: T;
  word: string;
  start: number;
  end: number;
}

/** Every place a word of any entry occurs. */
function findAll<T>(text: string, entries: ReadonlyArray<{ words: readonly string[]; value: T }>): Array<Found<T>> {
  const found: Array<Found<T>> = [];
  for (const entry of entries) {
    for (const word of entry.words) {
      for (const match of text.matchAll(wordPattern(word))) found.push({ value: entry.value, word, start: match.index, end: match.index + match[0].length });
    }
  }
  return found;
}

/** The first word in the text; among words starting at the same place, the longest; a word inside a longer one never counts. */
function first<T>(found: ReadonlyArray<Found<T>>): Found<T> | undefined {
  const outer = found.filter((f) => !found.some((g) => g !== f && g.start <= f.start && g.end >= f.end && g.end - g.start > f.end - f.start));
  return [...outer].sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start))[0];
}

function normalise(prompt: string): string {
  return prompt.normalize('NFKC').toLowerCase();
}

export function parsePromptWords(prompt: string, objects: readonly BuiltInObject[]): PromptWords {
  const text = normalise(prompt);
  const words: PromptWords = {};

  const objectHits = findAll(
    text,
    objects.map((o) => ({ words: [...o.names.zh, ...o.names.en].map((w) => w.toLowerCase()), value: o.id })),
  );
  const strong = objectHits.filter((h) => !WEAK_WORDS.has(h.word));
  const object = first(strong.length > 0 ? strong : objectHits);
  if (object !== undefined) words.objectId = object.value;

  const colour = first(findAll(text, COLOURS.map((c) => ({ words: c.words, value: c.hex }))));
  if (colour !== undefined) {
    words.colour = colour.value;
    words.colourWord = colour.word;
  }

  const size = first(findAll(text, SIZES.map((s) => ({ words: s.words, value: s.scale }))));
  if (size !== undefined) words.scale = size.value;

  const countWords = objects.find((o) => o.id === words.objectId)?.countWords;
  const count = countWords === undefined ? undefined : featureCount(text, countWords);
  if (count !== undefined) words.count = count;
  return words;
}
