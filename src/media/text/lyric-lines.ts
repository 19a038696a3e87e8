/**
 * Lyrics arrive on one line more often than not: from a shell (`--set lyrics="新年快乐\n万事如意"`
 * passes a backslash and an "n", not a newline), a form field or a JSON value escaped twice.
 * So besides real newlines these break lines too:
 * - `|` (never part of a lyric),
 * - `/`, except between two Latin letters or digits with no space (`24/7`, `and/or`, `AC/DC`),
 * - a typed `\n` (a backslash then "n", or `\r\n`): no lyric means it literally.
 * Two breaks in a row make a blank line, which starts a new section, as a blank line does.
 */
const TYPED_NEWLINE = /\\r\\n|\\n/g;
const isLatinWordCharacter = (character: string | undefined): boolean => character !== undefined && /[A-Za-z0-9]/.test(character);

/** The lyrics with every line break written as "\n" (idempotent). */
export function normalizeLyricBreaks(lyrics: string): string {
  return lyrics
    .replace(/\r\n?/g, '\n')
    .replace(TYPED_NEWLINE, '\n')
    .replace(/\|/g, '\n')
    .replace(/\//g, (slash, offset: number, whole: string) => (isLatinWordCharacter(whole[offset - 1]) && isLatinWordCharacter(whole[offset + 1]) ? slash : '\n'));
}

/** The lyric lines, trimmed, blank lines dropped. */
export function lyricLines(lyrics: string): string[] {
  return normalizeLyricBreaks(lyrics)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
