/** SubRip (.srt): numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, text, blank line. */
import { checkCues, formatClock, isBlank, malformed, normalizeLines, parseTiming, splitLines } from './timecode.ts';
import type { Cue } from './types.ts';

const SRT_CLOCK = { digits: 3, separator: ',', hourDigits: 2 } as const;
/** Formatting SubRip players honour; stripped because Cue carries plain text. */
const TAGS = /<\/?(?:i|b|u|s)>|<font\b[^>]*>|<\/font>|\{\\[^}]*\}/gi;

export function writeSrt(cues: readonly Cue[]): string {
  checkCues(cues, 'SRT');
  return cues
    .map((cue, i) => {
      const lines = normalizeLines(cue.lines);
      return `${i + 1}\n${formatClock(cue.start, SRT_CLOCK)} --> ${formatClock(cue.end, SRT_CLOCK)}\n${lines.map((l) => `${l}\n`).join('')}\n`;
    })
    .join('');
}

/**
 * Tolerant reader: BOM, CRLF or CR, a missing final blank line, `.` for `,`, a missing blank
 * line between cues, missing cue numbers. A timing line it cannot read is MEDIA_INVALID.
 */
export function parseSrt(text: string): Cue[] {
  const lines = splitLines(text);
  const cues: Cue[] = [];
  let i = 0;
  while (i < lines.length) {
    if (isBlank(lines[i]!)) {
      i++;
      continue;
    }
    // A cue number is optional; the line after it must then be the timing.
    if (/^\s*\d+\s*$/.test(lines[i]!) && i + 1 < lines.length && !isBlank(lines[i + 1]!)) i++;
    const timingLine = lines[i]!;
    const timing = parseTiming(timingLine);
    if (timing === undefined || timing === 'bad') {
      throw malformed('SRT', i + 1, timingLine, 'expected a timing line like "00:00:01,000 --> 00:00:02,500"');
    }
    i++;
    const textLines: string[] = [];
    while (i < lines.length && !isBlank(lines[i]!)) {
      const line = lines[i]!;
      const next = parseTiming(line);
      if (next !== undefined && next !== 'bad') {
        // The next cue began without a blank line; its number, if any, was taken as text.
        if (textLines.length > 0 && /^\s*\d+\s*$/.test(textLines[textLines.length - 1]!)) textLines.pop();
        break;
      }
      textLines.push(line);
      i++;
    }
    const shown = textLines.map((l) => l.replace(TAGS, '').trimEnd()).filter((l) => l.trim() !== '');
    cues.push({ start: timing.start, end: timing.end, lines: shown });
  }
  return cues;
}
