import { normalizeForMatching } from './normalize.ts';
import type { ModerationTerm } from './default-terms.ts';

export interface TermMatch {
  /** The term as configured. */
  readonly term: string;
  readonly category: string;
}

interface CompiledTerm extends TermMatch {
  readonly normalized: string;
  /** Terms with Latin letters match whole words (plus a plural s), others anywhere. */
  readonly wordBounded: boolean;
}

/**
 * Matches normalized text against normalized terms. Latin-script terms need word
 * boundaries ("isis recruitment" must not fire inside "analysis"); CJK terms have no word
 * boundaries to need.
 */
export class TermMatcher {
  readonly #terms: CompiledTerm[];
  /** Longest normalized term, in characters: how much context a streaming check must keep. */
  readonly longestTerm: number;

  constructor(terms: readonly ModerationTerm[]) {
    const seen = new Set<string>();
    this.#terms = [];
    for (const t of terms) {
      const normalized = normalizeForMatching(t.term);
      if (normalized === '' || seen.has(normalized)) continue;
      seen.add(normalized);
      const wordBounded = /[a-z0-9]/.test(normalized);
      this.#terms.push({ term: t.term, category: t.category, normalized, wordBounded });
      // Spelled-out letters are joined ("c h i l d p o r n" → "childporn"), losing the space
      // between words: match the joined form too.
      const joined = normalized.replace(/ /g, '');
      if (wordBounded && joined !== normalized && !seen.has(joined)) {
        seen.add(joined);
        this.#terms.push({ term: t.term, category: t.category, normalized: joined, wordBounded });
      }
    }
    this.longestTerm = Math.max(0, ...this.#terms.map((t) => [...t.normalized].length));
  }

  get size(): number {
    return this.#terms.length;
  }

  /** The first configured term found in the text, if any. */
  match(text: string): TermMatch | undefined {
    return this.matchNormalized(normalizeForMatching(text));
  }

  matchNormalized(normalized: string): TermMatch | undefined {
    const padded = ` ${normalized} `;
    for (const t of this.#terms) {
      if (!t.wordBounded) {
        if (normalized.includes(t.normalized)) return { term: t.term, category: t.category };
        continue;
      }
      for (let at = padded.indexOf(t.normalized); at !== -1; at = padded.indexOf(t.normalized, at + 1)) {
        const before = padded[at - 1] ?? ' ';
        const after = padded.slice(at + t.normalized.length, at + t.normalized.length + 2);
        if (!isWordChar(before) && (!isWordChar(after[0] ?? ' ') || (after[0] === 's' && !isWordChar(after[1] ?? ' ')))) {
          return { term: t.term, category: t.category };
        }
      }
    }
    return undefined;
  }
}

function isWordChar(c: string): boolean {
  return /[\p{L}\p{N}]/u.test(c) && !/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(c);
}
