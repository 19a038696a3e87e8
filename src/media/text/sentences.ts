/**
 * Sentence splitting for Chinese and English, whole-text and incremental (for streamed model
 * output, so speech can start on the first sentence while the rest is still generated).
 * A sentence ends at 。！？；… or at . ! ? followed by whitespace or the end; closing quotes and
 * brackets stay with their sentence; decimals (3.14) and common abbreviations do not end one.
 */
const CJK_ENDERS = '。！？；…';
const LATIN_ENDERS = '.!?';
const CLOSERS = '"\'”’」』）)]》';
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'vs', 'etc', 'e.g', 'i.e', 'no', 'mt', 'jr', 'sr']);

/** Index just past the end of the first sentence in `text`, or -1 if it may still continue. */
function firstBoundary(text: string, final: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const cjk = CJK_ENDERS.includes(ch);
    if (!cjk && !LATIN_ENDERS.includes(ch) && ch !== '\n') continue;
    if (ch === '\n') {
      if (text.slice(0, i).trim() !== '') return i + 1;
      continue;
    }
    let end = i + 1;
    // Runs like "?!", "……" and closing quotes belong to this sentence.
    while (end < text.length && (CJK_ENDERS.includes(text[end]!) || LATIN_ENDERS.includes(text[end]!) || CLOSERS.includes(text[end]!))) end++;
    if (end === text.length && !final) return -1; // more enders or a closing quote may follow
    if (cjk) return end;
    const next = text[end];
    if (next !== undefined && !/\s/.test(next)) continue; // 3.14, example.com
    if (ch === '.') {
      const word = /([A-Za-z.]+)$/.exec(text.slice(0, i))?.[1]?.toLowerCase();
      if (word !== undefined && (ABBREVIATIONS.has(word) || /^[a-z]$/.test(word))) continue;
    }
    return end;
  }
  return -1;
}

export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (;;) {
    const at = firstBoundary(rest, true);
    if (at < 0) break;
    const sentence = rest.slice(0, at).trim();
    if (sentence !== '') out.push(sentence);
    rest = rest.slice(at);
  }
  if (rest.trim() !== '') out.push(rest.trim());
  return out;
}

/** Feed text as it streams in; complete sentences come out as soon as they are certain. */
export class SentenceStream {
  #buffer = '';

  push(delta: string): string[] {
    this.#buffer += delta;
    const out: string[] = [];
    for (;;) {
      const at = firstBoundary(this.#buffer, false);
      if (at < 0) break;
      const sentence = this.#buffer.slice(0, at).trim();
      if (sentence !== '') out.push(sentence);
      this.#buffer = this.#buffer.slice(at);
    }
    return out;
  }

  /** The unfinished tail, at the end of the stream. */
  flush(): string[] {
    const tail = this.#buffer.trim();
    this.#buffer = '';
    return tail === '' ? [] : [tail];
  }
}
