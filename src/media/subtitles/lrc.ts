/** LRC lyrics: `[mm:ss.xx]` line stamps, metadata tags, and enhanced-LRC `<mm:ss.xx>` word stamps. */
import { ShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import { clockSeconds, formatClock, malformed, splitLines } from './timecode.ts';
import type { LrcDocument, LrcLine, LrcWriteOptions } from './types.ts';

/** Minutes grow past 59 instead of adding hours, which most players do not read. */
const LRC_CLOCK = { digits: 2, separator: '.', hourDigits: 0 } as const;
const stamp = (seconds: number): string => formatClock(seconds, LRC_CLOCK);
const sameStamp = (a: number, b: number): boolean => stamp(a) === stamp(b);

function checkTimed(items: readonly TimedText[], what: string): void {
  items.forEach((item, index) => {
    if (!Number.isFinite(item.start) || !Number.isFinite(item.end) || item.start < 0 || item.end < item.start) {
      throw new ShenbiError('INVALID_INPUT', `Cannot write LRC: ${what} ${index} has invalid times (start ${item.start}, end ${item.end}).`, {
        details: { index, start: item.start, end: item.end },
      });
    }
  });
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** The line's text with a `<start>` stamp before each word, an end stamp after the last one and after any word followed by a silence. */
function wordStamped(text: string, words: readonly TimedText[], lineIndex: number): string {
  checkTimed(words, `word of line ${lineIndex}`);
  let out = '';
  let cursor = 0;
  words.forEach((word, w) => {
    const wordText = oneLine(word.text);
    const at = text.indexOf(wordText, cursor);
    if (wordText === '' || at < 0) {
      throw new ShenbiError('INVALID_INPUT', `Cannot write LRC: word ${w} ("${word.text}") of line ${lineIndex} is not in the line's text in order.`, {
        details: { line: lineIndex, word: w },
      });
    }
    const between = text.slice(cursor, at);
    const prev = words[w - 1];
    if (prev !== undefined && !sameStamp(prev.end, word.start)) out += `<${stamp(prev.end)}>`;
    out += `${between}<${stamp(word.start)}>${wordText}`;
    cursor = at + wordText.length;
  });
  const last = words[words.length - 1];
  if (last !== undefined) out += `<${stamp(last.end)}>`;
  return out + text.slice(cursor);
}

/**
 * Writes lyric lines in time order. A line's end is kept as an empty `[mm:ss.xx]` stamp when
 * the next line does not start right away, so a reader can tell when to clear it.
 */
export function writeLrc(lines: readonly TimedText[], options: LrcWriteOptions = {}): string {
  checkTimed(lines, 'line');
  const out: string[] = [];
  const tag = (key: string, value: string | undefined): void => {
    if (value !== undefined) out.push(`[${key}:${oneLine(value)}]`);
  };
  tag('ti', options.title);
  tag('ar', options.artist);
  tag('al', options.album);
  if (options.length !== undefined) tag('length', stamp(options.length));
  lines.forEach((line, i) => {
    const text = oneLine(line.text);
    const words = options.words?.[i];
    const body = words !== undefined && words.length > 0 ? wordStamped(text, words, i) : text;
    out.push(`[${stamp(line.start)}]${body}`);
    const next = lines[i + 1];
    if (line.end > line.start && (next === undefined || (next.start > line.end && !sameStamp(next.start, line.end)))) out.push(`[${stamp(line.end)}]`);
  });
  return `${out.join('\n')}\n`;
}

const TIME_TAG = /^(\d+):(\d{1,2})(?:[.:](\d{1,3}))?$/;
const LONG_TIME_TAG = /^(\d+):(\d{1,2}):(\d{1,2})\.(\d{1,3})$/;
const WORD_STAMP = /<(\d+):(\d{1,2})(?:[.:](\d{1,3}))?>/g;

function readStamp(inner: string): number | undefined {
  const long = LONG_TIME_TAG.exec(inner);
  if (long !== null) return clockSeconds(long[1], long[2]!, long[3]!, long[4]);
  const m = TIME_TAG.exec(inner);
  return m === null ? undefined : clockSeconds(undefined, m[1]!, m[2]!, m[3]);
}

interface Entry {
  time: number;
  raw: string;
  order: number;
}

/** A line's text without word stamps, and its stamped words (end = the next stamp). */
function splitWords(raw: string, shift: (t: number) => number): { text: string; stamped: Array<{ text: string; start: number }>; stamps: number[] } {
  const stamped: Array<{ text: string; start: number }> = [];
  const stamps: number[] = [];
  let text = '';
  let last = 0;
  let current: { text: string; start: number } | undefined;
  for (const m of raw.matchAll(WORD_STAMP)) {
    const piece = raw.slice(last, m.index);
    text += piece;
    if (current !== undefined) current.text += piece;
    const time = clockSeconds(undefined, m[1]!, m[2]!, m[3]);
    last = m.index + m[0].length;
    if (time === undefined) continue;
    stamps.push(shift(time));
    current = { text: '', start: shift(time) };
    stamped.push(current);
  }
  const tail = raw.slice(last);
  text += tail;
  if (current !== undefined) current.text += tail;
  return { text: text.trim(), stamped, stamps };
}

export function parseLrc(text: string): LrcDocument {
  const tags: Record<string, string> = {};
  const entries: Entry[] = [];
  let sawContent = false;
  splitLines(text).forEach((line, index) => {
    let rest = line.trim();
    if (rest === '') return;
    sawContent = true;
    const times: number[] = [];
    for (;;) {
      const tag = /^\[([^\]]*)\]/.exec(rest);
      if (tag === null) break;
      const inner = tag[1]!.trim();
      const time = readStamp(inner);
      if (time !== undefined) {
        times.push(time);
        rest = rest.slice(tag[0].length);
        continue;
      }
      if (/^\d/.test(inner)) throw malformed('LRC', index + 1, line, `unreadable time tag [${inner}]`);
      const meta = /^([A-Za-z#]+)\s*:(.*)$/.exec(inner);
      if (times.length === 0 && meta !== null) tags[meta[1]!.toLowerCase()] = meta[2]!.trim();
      break; // text such as "[Chorus]" after the stamps, or a metadata line
    }
    for (const time of times) entries.push({ time, raw: rest, order: entries.length });
  });
  if (sawContent && entries.length === 0 && Object.keys(tags).length === 0) {
    throw new ShenbiError('MEDIA_INVALID', 'Not LRC lyrics: no [mm:ss.xx] time tags or metadata tags were found.', { details: { format: 'LRC' } });
  }
  // [offset:+500] shows the lyrics 0.5 s earlier.
  const offset = Number(tags.offset ?? 0);
  const shiftBy = Number.isFinite(offset) ? offset / 1000 : 0;
  const shift = (t: number): number => Math.max(0, Math.round((t - shiftBy) * 1e6) / 1e6);
  const lengthText = tags.length;
  const length = lengthText === undefined ? undefined : readStamp(lengthText);

  const timed = entries.map((e) => ({ ...e, time: shift(e.time) })).sort((a, b) => a.time - b.time || a.order - b.order);
  const lines: LrcLine[] = [];
  timed.forEach((entry, i) => {
    const parsed = splitWords(entry.raw, shift);
    if (parsed.text === '') return; // an empty stamp only marks when the previous line ends
    const later = timed.slice(i + 1).find((e) => e.time > entry.time)?.time;
    const end = later ?? (length !== undefined && length > entry.time ? length : undefined);
    const line: LrcLine = { text: parsed.text, start: entry.time, end };
    if (parsed.stamped.length > 0) {
      const words: TimedText[] = [];
      parsed.stamped.forEach((w, k) => {
        const wordText = w.text.trim();
        if (wordText === '') return; // an end stamp
        const next = parsed.stamps[k + 1] ?? end ?? w.start;
        words.push({ text: wordText, start: w.start, end: Math.max(w.start, next) });
      });
      line.words = words;
    }
    lines.push(line);
  });
  return { lines, tags, length };
}
