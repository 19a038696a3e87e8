/** Characters no file system or Content-Disposition header takes as they are: separators, wildcards, quotes, controls. */
const UNSAFE = /[\\/:*?"<>|\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;
/** Punctuation, symbols and spaces at either end of a title: `. Once there was…` → `Once there was…`. */
const EDGE_JUNK = /^[\p{P}\p{S}\p{Z}\s]+|[\p{P}\p{S}\p{Z}\s]+$/gu;
/** Names Windows reserves whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** Longest base name, in characters (code points), before the extension. */
export const FILE_BASE_MAX = 60;

/**
 * A file's base name (no extension) from a free-form title, e.g. one a model generated: unsafe
 * characters become spaces, runs of whitespace collapse, punctuation and spaces are trimmed
 * from both ends, letters of every script (CJK included) are kept, and the result is capped
 * at `max` characters (at a word break when one is near). `fallback` (an artifact id, or a
 * plain word) when nothing usable is left.
 */
export function safeFileBase(title: string | null | undefined, fallback: string, max = FILE_BASE_MAX): string {
  const cleaned = (title ?? '').normalize('NFC').replace(UNSAFE, ' ').replace(/\s+/gu, ' ').replace(EDGE_JUNK, '');
  const chars = Array.from(cleaned);
  let base = cleaned;
  if (chars.length > max) {
    const cut = chars.slice(0, max).join('');
    const space = cut.lastIndexOf(' ');
    base = (space >= cut.length / 2 ? cut.slice(0, space) : cut).replace(EDGE_JUNK, '');
  }
  return base === '' || RESERVED.test(base) ? fallback : base;
}

/** `safeFileBase` plus an extension (given without the dot). */
export function safeFileName(title: string | null | undefined, extension: string, fallback: string, max = FILE_BASE_MAX): string {
  return `${safeFileBase(title, fallback, max)}.${extension}`;
}
