/** Clock-time formatting and parsing, and checks shared by the subtitle readers and writers. */
import { ShenbiError } from '../../core/errors.ts';
import type { Cue } from './types.ts';

export interface ClockFormat {
  /** Digits after the separator: 3 (ms), 2 (cs). */
  digits: 2 | 3;
  separator: ',' | '.';
  /** Minimum digits for the hours field; 0 writes no hours (minutes then grow past 59). */
  hourDigits: 0 | 1 | 2;
}

/** Formats seconds by rounding once to the format's unit, so 59.9996 s never prints as `:60`. */
export function formatClock(seconds: number, format: ClockFormat): string {
  const unit = 10 ** format.digits;
  const total = Math.round(Math.max(0, seconds) * unit);
  const frac = total % unit;
  const wholeSeconds = Math.floor(total / unit);
  const s = wholeSeconds % 60;
  const fracText = String(frac).padStart(format.digits, '0');
  if (format.hourDigits === 0) {
    const m = Math.floor(wholeSeconds / 60);
    return `${pad2(m)}:${pad2(s)}${format.separator}${fracText}`;
  }
  const m = Math.floor(wholeSeconds / 60) % 60;
  const h = Math.floor(wholeSeconds / 3600);
  return `${String(h).padStart(format.hourDigits, '0')}:${pad2(m)}:${pad2(s)}${format.separator}${fracText}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Seconds from clock fields; `fraction` is read as a decimal fraction ("5" = 0.5 s, "05" = 0.05 s).
 * Returns undefined when minutes or seconds are out of range.
 */
export function clockSeconds(hours: string | undefined, minutes: string, seconds: string, fraction: string | undefined): number | undefined {
  const h = hours === undefined ? 0 : Number(hours);
  const m = Number(minutes);
  const s = Number(seconds);
  if (s >= 60 || (hours !== undefined && m >= 60)) return undefined;
  const f = fraction === undefined || fraction === '' ? 0 : Number(`0.${fraction}`);
  // Round to microseconds so 1.1 + 3600 reads back as the same double the writer started from.
  return Math.round((h * 3600 + m * 60 + s + f) * 1e6) / 1e6;
}

/** Text without a byte-order mark, split into lines on LF, CRLF or CR. */
export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

export function malformed(format: string, lineNumber: number, line: string, what: string): ShenbiError {
  const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
  return new ShenbiError('MEDIA_INVALID', `Malformed ${format} at line ${lineNumber}: ${what} ("${shown}").`, {
    details: { format, line: lineNumber },
  });
}

/** Writers refuse cues no player can show: negative, non-finite or reversed times. */
export function checkCues(cues: readonly Cue[], format: string): void {
  cues.forEach((cue, index) => {
    if (!Number.isFinite(cue.start) || !Number.isFinite(cue.end) || cue.start < 0 || cue.end < cue.start) {
      throw new ShenbiError('INVALID_INPUT', `Cannot write ${format}: cue ${index} has invalid times (start ${cue.start}, end ${cue.end}).`, {
        details: { index, start: cue.start, end: cue.end },
      });
    }
  });
}

/**
 * Lines as a text format can carry them: embedded newlines split, trailing spaces dropped and
 * blank lines removed (a blank line ends a cue in SRT and WebVTT).
 */
export function normalizeLines(lines: readonly string[]): string[] {
  return lines.flatMap((line) => line.split(/\r\n|\r|\n/)).map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
}

const TIME = String.raw`(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?`;
/** `start --> end`, optional hours, `,` or `.`, anything after the end time (WebVTT cue settings) ignored. */
const TIMING = new RegExp(String.raw`^\s*${TIME}\s*-->\s*${TIME}(?:\s.*)?$`);

/** A timing line's times; `bad` when it has `-->` but cannot be read; undefined when it is not one. */
export function parseTiming(line: string): { start: number; end: number } | 'bad' | undefined {
  const m = TIMING.exec(line);
  if (m === null) return line.includes('-->') ? 'bad' : undefined;
  const start = clockSeconds(m[1], m[2]!, m[3]!, m[4]);
  const end = clockSeconds(m[5], m[6]!, m[7]!, m[8]);
  if (start === undefined || end === undefined || end < start) return 'bad';
  return { start, end };
}

