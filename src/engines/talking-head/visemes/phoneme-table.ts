import type { Viseme } from '../types.ts';
import { phonemeKey, VOWEL_LETTERS } from './phoneme-normalize.ts';

/** One viseme of a phoneme and its share of the phoneme's time (shares sum to 1). */
export interface VisemePart {
  readonly viseme: Viseme;
  readonly share: number;
}

export interface PhonemeVisemes {
  readonly parts: readonly VisemePart[];
  /** 'table' when the phoneme is listed; 'fallback' when it was guessed from its letters. */
  readonly source: 'table' | 'fallback' | 'pause';
}

const one = (viseme: Viseme): VisemePart[] => [{ viseme, share: 1 }];
/** A falling diphthong (aɪ, ɑu): the nucleus first, the off-glide shorter. */
const fall = (nucleus: Viseme, glide: Viseme): VisemePart[] => [{ viseme: nucleus, share: 0.6 }, { viseme: glide, share: 0.4 }];
/** A rising final (iɛ, uo, yæ): a short on-glide, then the nucleus. */
const rise = (glide: Viseme, nucleus: Viseme): VisemePart[] => [{ viseme: glide, share: 0.3 }, { viseme: nucleus, share: 0.7 }];

/**
 * eSpeak's phonemes (keys after phonemeKey) → visemes. English (en-us, en-gb) and Mandarin
 * (cmn: pinyin initials and finals in eSpeak's IPA); docs/visemes.md lists both with examples.
 */
const TABLE: ReadonlyMap<string, readonly VisemePart[]> = new Map<string, VisemePart[]>([
  // Lips closed: p b m (pinyin b p m).
  ['p', one('PP')], ['b', one('PP')], ['m', one('PP')],
  // Lower lip to upper teeth: f v.
  ['f', one('FF')], ['v', one('FF')],
  // Tongue between the teeth: θ ð.
  ['θ', one('TH')], ['ð', one('TH')],
  // Tongue tip at the ridge: t d, the flap, pinyin d t.
  ['t', one('DD')], ['d', one('DD')], ['ɾ', one('DD')], ['ʔ', one('kk')],
  // Back of the tongue: k g ŋ, h (the mouth takes the next vowel's shape), pinyin g k h (x/χ).
  ['k', one('kk')], ['g', one('kk')], ['ŋ', one('kk')], ['h', one('kk')], ['x', one('kk')], ['χ', one('kk')], ['ɣ', one('kk')],
  // Postalveolar and palatal: English ch j sh zh; pinyin zh ch sh (tʂ ʂ) and j q x (tɕ ɕ).
  ['tʃ', one('CH')], ['dʒ', one('CH')], ['ʃ', one('CH')], ['ʒ', one('CH')],
  ['tʂ', one('CH')], ['ʂ', one('CH')], ['tɕ', one('CH')], ['ɕ', one('CH')], ['dʑ', one('CH')], ['ʑ', one('CH')],
  // Hiss: s z; pinyin z c s (ts, tsh → ts).
  ['s', one('SS')], ['z', one('SS')], ['ts', one('SS')], ['dz', one('SS')],
  // Tongue tip, mouth a little open: n l.
  ['n', one('nn')], ['l', one('nn')], ['ɫ', one('nn')],
  // r: English ɹ (and eSpeak's r), pinyin r (ʐ), the r-coloured schwa ɚ.
  ['ɹ', one('RR')], ['r', one('RR')], ['ʐ', one('RR')], ['ɚ', one('RR')], ['ɝ', one('RR')],
  // Glides.
  ['j', one('ih')], ['w', one('ou')], ['ɥ', one('ou')],
  // English vowels.
  ['ɑ', one('aa')], ['a', one('aa')], ['æ', one('aa')], ['ʌ', one('aa')], ['ɐ', one('aa')], ['ə', one('aa')], ['ɒ', one('oh')],
  ['ɛ', one('E')], ['e', one('E')], ['ɜ', one('E')],
  // i, and the apical -i of pinyin zhi chi shi ri (eSpeak 'i.' → ɨ) and zi ci si (eSpeak 'i̪', diacritic dropped).
  ['ɪ', one('ih')], ['i', one('ih')], ['ɨ', one('ih')], ['ᵻ', one('ih')],
  ['ɔ', one('oh')], ['o', one('oh')],
  ['ʊ', one('ou')], ['u', one('ou')], ['y', one('ou')],
  // English diphthongs and r-coloured vowels as eSpeak writes them (one phoneme each).
  ['aɪ', fall('aa', 'ih')], ['aʊ', fall('aa', 'ou')], ['eɪ', fall('E', 'ih')], ['oʊ', fall('oh', 'ou')], ['əʊ', fall('aa', 'ou')],
  ['ɔɪ', fall('oh', 'ih')], ['ɪə', fall('ih', 'aa')], ['eə', fall('E', 'aa')], ['ʊə', fall('ou', 'aa')], ['iə', fall('ih', 'aa')],
  ['ɑɹ', fall('aa', 'RR')], ['ɔɹ', fall('oh', 'RR')], ['ɛɹ', fall('E', 'RR')], ['ɪɹ', fall('ih', 'RR')], ['ʊɹ', fall('ou', 'RR')],
  ['aɪɚ', fall('aa', 'RR')], ['aɪə', fall('aa', 'ih')], ['aʊɚ', fall('aa', 'RR')], ['aʊə', fall('aa', 'ou')], ['ɜɹ', one('RR')],
  // Mandarin finals (pinyin in brackets; medial i/u/ü are written as j/w before the final when
  // they begin a syllable). eSpeak cmn writes these as one phoneme each.
  ['ɑu', fall('aa', 'ou')], // ao
  ['ai', fall('aa', 'ih')], // ai
  ['ei', fall('E', 'ih')], // ei
  ['ou', fall('oh', 'ou')], // ou
  ['o-', one('E')], // e (ɤ: he, ge)
  ['ər', fall('aa', 'RR')], // er
  ['iɛ', rise('ih', 'E')], // ie, -ian
  ['iɑ', rise('ih', 'aa')], // ia, -iang
  ['iɑu', [{ viseme: 'ih', share: 0.25 }, { viseme: 'aa', share: 0.45 }, { viseme: 'ou', share: 0.3 }]], // iao
  ['iou', [{ viseme: 'ih', share: 0.25 }, { viseme: 'oh', share: 0.45 }, { viseme: 'ou', share: 0.3 }]], // iu
  ['uo', rise('ou', 'oh')], // uo
  ['uə', rise('ou', 'aa')], // -un (uen)
  ['uɑ', rise('ou', 'aa')], // ua
  ['ua', rise('ou', 'aa')], // ua (phonemize writes a)
  ['uai', [{ viseme: 'ou', share: 0.25 }, { viseme: 'aa', share: 0.45 }, { viseme: 'ih', share: 0.3 }]], // uai
  ['uei', [{ viseme: 'ou', share: 0.25 }, { viseme: 'E', share: 0.45 }, { viseme: 'ih', share: 0.3 }]], // ui
  ['yɛ', rise('ou', 'E')], // üe
  ['yæ', rise('ou', 'aa')], // üan
  ['yə', rise('ou', 'aa')], // ün (yun, jun; -n follows as n)
  ['ong', fall('ou', 'kk')], // ong
]);

/** First-letter classes for phonemes the table does not list. */
const VOWEL_FALLBACK: ReadonlyMap<string, Viseme> = new Map<string, Viseme>([
  ...[...'aæɑɐʌəɘɶ'].map((c) => [c, 'aa'] as [string, Viseme]),
  ...[...'eɛɜɞɤ'].map((c) => [c, 'E'] as [string, Viseme]),
  ...[...'iɪɨᵻɯ'].map((c) => [c, 'ih'] as [string, Viseme]),
  ...[...'oɔɒøœɵ'].map((c) => [c, 'oh'] as [string, Viseme]),
  ...[...'uʊyʏʉ'].map((c) => [c, 'ou'] as [string, Viseme]),
  ['ɚ', 'RR'],
  ['ɝ', 'RR'],
]);

const CONSONANT_FALLBACK: readonly [RegExp, Viseme][] = [
  [/[pbmɓɸβʙ]/u, 'PP'],
  [/[fvʋɱ]/u, 'FF'],
  [/[θð]/u, 'TH'],
  [/[ʃʒʂʐɕʑçʝ]/u, 'CH'],
  [/[szʦʣ]/u, 'SS'],
  [/[nlɲɳɫɬɮʎ]/u, 'nn'],
  [/[rɹɻʀʁ]/u, 'RR'],
  [/[tdɖʈɗɾ]/u, 'DD'],
  [/[kgɡqɢxɣχħʕhɦʔŋ]/u, 'kk'],
  [/[jɰ]/u, 'ih'],
  [/[wɥ]/u, 'ou'],
];

/** The visemes of one eSpeak phoneme; never throws: unknown ones go by their first vowel, else their first consonant. */
export function phonemeVisemes(phoneme: string): PhonemeVisemes {
  const key = phonemeKey(phoneme);
  if (key === '' || key === '_') return { parts: one('sil'), source: 'pause' };
  const listed = TABLE.get(key);
  if (listed !== undefined) return { parts: listed, source: 'table' };
  const letters = [...key];
  const vowel = letters.find((c) => VOWEL_FALLBACK.has(c));
  if (vowel !== undefined) return { parts: one(VOWEL_FALLBACK.get(vowel)!), source: 'fallback' };
  for (const [pattern, viseme] of CONSONANT_FALLBACK) if (pattern.test(key)) return { parts: one(viseme), source: 'fallback' };
  // Nothing recognisable (a symbol eSpeak adds for its own use): a neutral, half-open mouth.
  return { parts: one(letters.some((c) => VOWEL_LETTERS.has(c)) ? 'E' : 'nn'), source: 'fallback' };
}

/** The viseme that dominates a phoneme (a diphthong's nucleus); '' (a pause) is 'sil'. */
export function visemeForPhoneme(phoneme: string): Viseme {
  const { parts } = phonemeVisemes(phoneme);
  let best = parts[0]!;
  for (const part of parts) if (part.share > best.share) best = part;
  return best.viseme;
}

/** Every key the table lists (docs and tests). */
export function listedPhonemes(): string[] {
  return [...TABLE.keys()];
}
