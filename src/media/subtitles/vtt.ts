/** WebVTT (.vtt): `WEBVTT` header, then cues with optional identifiers; NOTE/STYLE/REGION blocks. */
import { checkCues, formatClock, isBlank, malformed, normalizeLines, parseTiming, splitLines } from './timecode.ts';
import type { Cue } from './types.ts';

const VTT_CLOCK = { digits: 3, separator: '.', hourDigits: 2 } as const;

/** `&`, `<` and `>` are markup in cue text, so they are written as character references. */
function escapeText(line: string): string {
  return line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00A0', lrm: '\u200E', rlm: '\u200F', quot: '"', apos: "'" };

/** Cue text as plain text: tags (`<i>`, `<v Name>`, `<c.x>`, `<00:01.000>`) removed, references decoded. */
function plainText(line: string): string {
  return line.replace(/<[^>]*>/g, '').replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export function writeVtt(cues: readonly Cue[]): string {
  checkCues(cues, 'WebVTT');
  const body = cues
    .map((cue, i) => {
      const lines = normalizeLines(cue.lines).map(escapeText);
      return `${i + 1}\n${formatClock(cue.start, VTT_CLOCK)} --> ${formatClock(cue.end, VTT_CLOCK)}\n${lines.map((l) => `${l}\n`).join('')}\n`;
    })
    .join('');
  return `WEBVTT\n\n${body}`;
}

export function parseVtt(text: string): Cue[] {
  const lines = splitLines(text);
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) throw malformed('WebVTT', 1, lines[0] ?? '', 'the file must start with "WEBVTT"');
  let i = 1;
  while (i < lines.length && !isBlank(lines[i]!)) i++; // header metadata
  const cues: Cue[] = [];
  while (i < lines.length) {
    const first = lines[i]!;
    if (isBlank(first)) {
      i++;
      continue;
    }
    if (/^(?:NOTE(?:[ \t]|$)|STYLE[ \t]*$|REGION[ \t]*$)/.test(first)) {
      while (i < lines.length && !isBlank(lines[i]!)) i++;
      continue;
    }
    if (!first.includes('-->')) i++; // cue identifier
    const timingLine = lines[i] ?? '';
    const timing = parseTiming(timingLine);
    if (timing === undefined || timing === 'bad') {
      throw malformed('WebVTT', Math.min(i + 1, lines.length), timingLine, 'expected a timing line like "00:01.000 --> 00:02.500"');
    }
    i++;
    const textLines: string[] = [];
    while (i < lines.length && !isBlank(lines[i]!)) {
      // A line with "-->" cannot be cue text: the next cue began without a blank line.
      if (lines[i]!.includes('-->')) break;
      textLines.push(lines[i]!);
      i++;
    }
    cues.push({ start: timing.start, end: timing.end, lines: textLines.map((l) => plainText(l).trimEnd()).filter((l) => l.trim() !== '') });
  }
  return cues;
}
