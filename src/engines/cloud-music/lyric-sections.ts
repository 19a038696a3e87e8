/** A lyric section: its name (from a [Verse]/[Chorus] tag, or numbered) and its lines. */
export interface LyricSection {
  name: string;
  lines: string[];
}

import { normalizeLyricBreaks } from '../../media/text/lyric-lines.ts';

/** Splits lyrics into sections at blank lines and [Tag] lines; empty sections are dropped. */
export function lyricSections(lyrics: string): LyricSection[] {
  const sections: LyricSection[] = [];
  let current: LyricSection | undefined;
  const start = (name?: string) => {
    current = { name: name ?? `Section ${sections.length + 1}`, lines: [] };
    sections.push(current);
  };
  for (const raw of normalizeLyricBreaks(lyrics).split('\n')) {
    const line = raw.trim();
    const tag = /^\[([^\]]{1,40})\]$/.exec(line);
    if (tag) start(tag[1]!.trim());
    else if (line === '') current = current && current.lines.length === 0 ? current : undefined;
    else {
      if (!current) start();
      current!.lines.push(line);
    }
  }
  return sections.filter((s) => s.lines.length > 0).map((s, i) => (/^Section \d+$/.test(s.name) ? { ...s, name: `Section ${i + 1}` } : s));
}
