/** Rough advance widths in em, good enough to wrap lines before handing them to the SVG renderer. */
function charWidthEm(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x2e80) return 1; // CJK, full-width punctuation, kana, hangul
  if (char === ' ') return 0.3;
  if (/[A-Z]/.test(char)) return 0.68;
  return 0.55;
}

export function textWidthEm(text: string): number {
  let width = 0;
  for (const char of text) width += charWidthEm(char);
  return width;
}

/** Wraps text to lines no wider than `maxEm`; breaks at spaces for Latin text, anywhere for CJK. */
export function wrapText(text: string, maxEm: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    // Tokens: runs of non-space Latin characters, single CJK characters, or spaces.
    for (const token of paragraph.match(/[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+/g) ?? []) {
      const candidate = line + token;
      if (textWidthEm(candidate) <= maxEm || line.trim() === '') {
        line = candidate;
      } else {
        lines.push(line.trimEnd());
        line = token.trimStart();
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}
