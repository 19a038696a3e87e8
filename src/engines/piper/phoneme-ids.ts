import { BOS, EOS, PAD } from './voice-config.ts';

/** Clause and sentence punctuation Piper keeps as phonemes (eSpeak's clause terminators). */
const SENTENCE_END: Record<string, string> = { '.': '.', '。': '.', '?': '?', '？': '?', '!': '!', '！': '!', ';': ';', '；': ';', ':': ':', '：': ':' };

/**
 * eSpeak's IPA for one sentence (from the runner: '_' between phonemes, ' ' between words,
 * '|' between clauses) as Piper's phoneme list: NFD-decomposed codepoints, ' ' between words,
 * and each clause ended by its punctuation. eSpeak's phonemizer here does not say which
 * punctuation ended an inner clause, so inner clauses end with ',' (the common case) and the
 * last with the sentence's own final mark ('.' when it has none).
 */
export function espeakToPiperPhonemes(espeakIpa: string, sentence: string): string[] {
  const clauses = espeakIpa
    .split('|')
    .map((clause) => clause.trim())
    .filter((clause) => clause.replaceAll('_', '').trim() !== '');
  const last = [...sentence.trim()].at(-1) ?? '';
  const finalMark = SENTENCE_END[last] ?? '.';
  const phonemes: string[] = [];
  clauses.forEach((clause, index) => {
    const words = clause.split(/\s+/).map((word) => word.replaceAll('_', '')).filter((word) => word !== '');
    words.forEach((word, wordIndex) => {
      if (wordIndex > 0) phonemes.push(' ');
      phonemes.push(...word.normalize('NFD'));
    });
    const isLast = index === clauses.length - 1;
    phonemes.push(isLast ? finalMark : ',');
    if (!isLast) phonemes.push(' ');
  });
  return phonemes;
}

export interface PhonemeIds {
  ids: number[];
  /** Phonemes the voice has no id for (dropped, as Piper does). */
  missing: string[];
}

/**
 * Piper's rule (piper-phonemize `phonemes_to_ids`, interspersePad + addBos + addEos):
 * `^ _ p1 _ p2 _ … pn _ $`: the begin symbol, a pad, every phoneme followed by a pad, the end
 * symbol. A phoneme may map to several ids; all are used.
 */
export function phonemesToIds(phonemes: readonly string[], idMap: Readonly<Record<string, readonly number[]>>): PhonemeIds {
  const lookup = (symbol: string): readonly number[] => idMap[symbol] ?? [];
  const ids: number[] = [...lookup(BOS), ...lookup(PAD)];
  const missing = new Set<string>();
  for (const phoneme of phonemes) {
    const mapped = idMap[phoneme];
    if (mapped === undefined) {
      missing.add(phoneme);
      continue;
    }
    ids.push(...mapped, ...lookup(PAD));
  }
  ids.push(...lookup(EOS));
  return { ids, missing: [...missing] };
}
