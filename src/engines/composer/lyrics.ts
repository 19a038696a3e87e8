import { createRequire } from 'node:module';
import type { pinyin as Pinyin } from 'pinyin-pro';
import { ShenbiError } from '../../core/errors.ts';
import { normalizeLyricBreaks } from '../../media/text/lyric-lines.ts';

/** One sung syllable: a Chinese character, or a piece of an English word. */
export interface Syllable {
  text: string;
  /** Mandarin tone 1–4, 5 for neutral; undefined for other languages. */
  tone?: number;
  /** The syllable ends a word (English: where a space follows when shown). */
  wordEnd: boolean;
  stressed: boolean;
}

export interface LyricLine {
  text: string;
  section: string;
  syllables: Syllable[];
}

export const MAX_LINES = 48;
export const MAX_SYLLABLES = 1200;
const HAN = /\p{Script=Han}/u;

const DIGRAPHS = ['th', 'sh', 'ch', 'ph', 'wh', 'ck', 'ng', 'gh', 'qu'];

function isVowelUnit(unit: string, index: number, units: readonly string[]): boolean {
  if (/^[aeiou]+$/i.test(unit)) return true;
  // y is a vowel except at the start of a word (yes, young).
  return /^y$/i.test(unit) && index > 0 && !/^[aeiou]+$/i.test(units[index - 1] ?? '');
}

/**
 * English syllables, to place one note each: letters grouped into units (vowel runs,
 * consonant digraphs such as th or ck, single consonants), then split by the classic rules —
 * V|CV (ba-by, mo-ther), VC|CV (hap-py, win-ter), VCC|CV (birth-day) — with silent final e and -ed/-es folded in.
 */
export function syllabifyEnglish(word: string): string[] {
  const units: string[] = [];
  for (let i = 0; i < word.length; ) {
    const two = word.slice(i, i + 2).toLowerCase();
    if (DIGRAPHS.includes(two)) {
      units.push(word.slice(i, i + 2));
      i += 2;
    } else if (/[aeiou]/i.test(word[i]!)) {
      let j = i;
      while (j < word.length && /[aeiou]/i.test(word[j]!)) j++;
      units.push(word.slice(i, j));
      i = j;
    } else {
      units.push(word[i]!);
      i++;
    }
  }
  const vowelAt = units.map((u, i) => isVowelUnit(u, i, units));
  // Silent endings: a final e after a consonant (love, smile), -es/-ed that add no syllable (smiles, loved).
  const last = units.length - 1;
  const lower = word.toLowerCase();
  const silentE = /[^aeiouy]e$/.test(lower) && !/[^aeiouy]le$/.test(lower);
  const silentEs = /[^aeiouy]e[sd]$/.test(lower) && !/(t|d)ed$/.test(lower) && !/(s|z|x|ch|sh|g|c)es$/.test(lower);
  if (silentE && vowelAt.filter(Boolean).length > 1) vowelAt[last] = false;
  if (silentEs && vowelAt.filter(Boolean).length > 1) vowelAt[last - 1] = false;
  const nuclei = vowelAt.flatMap((v, i) => (v ? [i] : []));
  if (nuclei.length <= 1) return [word];
  const cuts: number[] = [];
  for (let k = 0; k < nuclei.length - 1; k++) {
    const a = nuclei[k]!;
    const b = nuclei[k + 1]!;
    const consonants = b - a - 1;
    // V|CV with one consonant between the vowels, VC|CV with two, and VCC|CV (birth-day) with more.
    cuts.push(consonants <= 1 ? a + 1 : consonants === 2 ? a + 2 : b - 1);
  }
  const parts: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    parts.push(units.slice(from, cut).join(''));
    from = cut;
  }
  parts.push(units.slice(from).join(''));
  return parts.filter((p) => p !== '');
}

/**
 * Lyrics → lines of syllables. Lines break at newlines, `|`, `/` and a typed `\n`
 * (normalizeLyricBreaks). A blank line or a [Verse]/[Chorus] tag starts a new section.
 * Chinese: one syllable per character, with its Mandarin tone (in context, so 妈妈 gets a
 * neutral second syllable). English: words split into syllables. Punctuation is dropped.
 */
export function parseLyrics(text: string): LyricLine[] {
  const lines: LyricLine[] = [];
  let section = 'verse 1';
  let sectionCount = { verse: 1, chorus: 0, bridge: 0 } as Record<string, number>;
  let blankBefore = false;
  for (const raw of normalizeLyricBreaks(text).split('\n')) {
    const trimmed = raw.trim();
    const tag = /^\[(verse|chorus|bridge|intro|outro)[^\]]*\]$/i.exec(trimmed);
    if (tag) {
      const kind = tag[1]!.toLowerCase();
      sectionCount = { ...sectionCount, [kind]: (sectionCount[kind] ?? 0) + 1 };
      section = `${kind} ${sectionCount[kind]}`;
      blankBefore = false;
      continue;
    }
    if (trimmed === '') {
      blankBefore = lines.length > 0;
      continue;
    }
    if (blankBefore) {
      sectionCount = { ...sectionCount, verse: (sectionCount.verse ?? 0) + 1 };
      section = `verse ${sectionCount.verse}`;
      blankBefore = false;
    }
    const syllables = toSyllables(trimmed);
    if (syllables.length > 0) lines.push({ text: trimmed, section, syllables });
  }
  if (lines.length === 0) throw new ShenbiError('INVALID_INPUT', 'the lyrics are empty: nothing to sing');
  const total = lines.reduce((s, l) => s + l.syllables.length, 0);
  if (lines.length > MAX_LINES || total > MAX_SYLLABLES) {
    throw new ShenbiError('INVALID_INPUT', `the lyrics are too long for a song (${lines.length} lines, ${total} syllables; at most ${MAX_LINES} lines and ${MAX_SYLLABLES} syllables)`);
  }
  const longest = Math.max(...lines.map((l) => l.syllables.length));
  if (longest > 32) throw new ShenbiError('INVALID_INPUT', `a lyric line has ${longest} syllables; break lines longer than 32 syllables`);
  return lines;
}

/** pinyin-pro's dictionary takes ~50 ms to load: required at the first Chinese lyric, not with every command (its CommonJS build, so parsing stays synchronous). */
let pinyin: typeof Pinyin | undefined;
/** Each character's pinyin with its tone as a digit (`hao3`). */
function tonesOf(han: string): string[] {
  pinyin ??= (createRequire(import.meta.url)('pinyin-pro') as { pinyin: typeof Pinyin }).pinyin;
  return pinyin(han, { toneType: 'num', type: 'array' });
}

function toSyllables(line: string): Syllable[] {
  const out: Syllable[] = [];
  // Chinese runs and Latin words, in order.
  const tokens = line.match(/\p{Script=Han}+|[A-Za-z']+|\d+/gu) ?? [];
  for (const token of tokens) {
    if (HAN.test(token)) {
      const tones = tonesOf(token);
      Array.from(token).forEach((ch, i) => {
        const tone = Number(/(\d)$/.exec(tones[i] ?? '')?.[1] ?? 5);
        out.push({ text: ch, tone: tone === 0 ? 5 : tone, wordEnd: true, stressed: i === 0 });
      });
    } else {
      const parts = syllabifyEnglish(token);
      parts.forEach((p, i) => out.push({ text: p, wordEnd: i === parts.length - 1, stressed: i === 0 }));
    }
  }
  return out;
}
