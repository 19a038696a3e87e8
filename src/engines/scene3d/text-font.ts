/**
 * Fonts for raised lettering, read with fontkit from the system's font files: DejaVu Sans for
 * Latin, Cyrillic and Greek, Noto Sans CJK (Simplified Chinese face) for Chinese. A font is
 * used only if it has every character of the text, so nothing is silently drawn as boxes.
 */
import { existsSync } from 'node:fs';
import type * as Fontkit from 'fontkit';

/** Candidate files in order of preference (Debian/Ubuntu paths of fonts-dejavu-core and fonts-noto-cjk). */
const FONT_FILES: ReadonlyArray<{ path: string; postscriptName?: string }> = [
  { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
];

export const FONT_HINT = 'apt-get install fonts-dejavu-core fonts-noto-cjk';

const opened = new Map<string, Fontkit.Font | null>();

/** fontkit, imported by loadFontkit on first need: every command would otherwise pay its ~90 ms import at start-up. */
let fontkit: typeof Fontkit | undefined;

/** Makes fontFor usable (the builds that may meet lettering await this first). */
export async function loadFontkit(): Promise<void> {
  fontkit ??= await import('fontkit');
}

function openFont(file: { path: string; postscriptName?: string }): Fontkit.Font | null {
  const key = `${file.path}#${file.postscriptName ?? ''}`;
  const known = opened.get(key);
  if (known !== undefined) return known;
  let font: Fontkit.Font | null = null;
  if (existsSync(file.path)) {
    if (fontkit === undefined) throw new Error('text-font: loadFontkit() must finish before fontFor()');
    const loaded = fontkit.openSync(file.path);
    if ('fonts' in loaded) font = (file.postscriptName === undefined ? loaded.fonts[0] : loaded.fonts.find((f) => f.postscriptName === file.postscriptName)) ?? null;
    else font = loaded;
  }
  opened.set(key, font);
  return font;
}

/** The first installed font that draws every character of `text`, or the characters no font has. */
export function fontFor(text: string): { font: Fontkit.Font } | { missing: string[]; fontsFound: number } {
  const characters = [...new Set([...text].filter((c) => c.trim() !== ''))];
  let fontsFound = 0;
  let missing = characters;
  for (const file of FONT_FILES) {
    const font = openFont(file);
    if (font === null) continue;
    fontsFound++;
    const lacking = characters.filter((c) => !font.hasGlyphForCodePoint(c.codePointAt(0)!));
    if (lacking.length === 0) return { font };
    if (lacking.length < missing.length) missing = lacking;
  }
  return { missing, fontsFound };
}
