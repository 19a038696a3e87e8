/**
 * Timed words or sentences into readable subtitle cues: lines no longer than a reading width,
 * at most `maxLines` per cue, cues between `minDuration` and `maxDuration`, broken at sentence
 * ends first, then at clauses and pauses, never with closing punctuation at the start of a line.
 */
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import type { TimedText } from '../../core/timing.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { charCount, endStrength, hasCjk, isClosing, isOpening, isPunctuationOnly, spaceBetween } from './script.ts';
import type { Cue, SegmentOptions } from './types.ts';

const optionsSchema = z
  .object({
    maxCharsPerLine: z.number().int().min(2).optional(),
    maxLines: z.number().int().min(1).default(2),
    minDuration: z.number().nonnegative().default(0.8),
    maxDuration: z.number().positive().default(7),
    pauseGap: z.number().nonnegative().default(0.5),
    cjk: z.boolean().optional(),
  })
  .refine((o) => o.minDuration <= o.maxDuration, { message: 'minDuration must not exceed maxDuration', path: ['minDuration'] });

interface Settings {
  maxChars: number;
  maxLines: number;
  minDuration: number;
  maxDuration: number;
  pauseGap: number;
}

/** An unbreakable piece of text (a word with its punctuation) and its time. */
interface Unit {
  text: string;
  start: number;
  end: number;
  /** Written with a space before it when it does not start a line. */
  space: boolean;
  /** 2 a sentence ends after it, 1 a clause, 0 neither. */
  strength: number;
}

interface Token {
  text: string;
  start: number;
  end: number;
  space: boolean;
}

function settingsFor(options: SegmentOptions, texts: readonly string[]): Settings {
  const o = parseOrThrow(optionsSchema, options, 'subtitle options');
  const cjk = o.cjk ?? texts.some(hasCjk);
  return { maxChars: o.maxCharsPerLine ?? (cjk ? 16 : 42), maxLines: o.maxLines, minDuration: o.minDuration, maxDuration: o.maxDuration, pauseGap: o.pauseGap };
}

function checkTimes(items: readonly TimedText[], what: string): void {
  let previous = 0;
  items.forEach((item, index) => {
    if (!Number.isFinite(item.start) || !Number.isFinite(item.end) || item.start < 0 || item.end < item.start) {
      throw new ShenbiError('INVALID_INPUT', `${what} ${index} has invalid times (start ${item.start}, end ${item.end}).`, { details: { index } });
    }
    if (item.start < previous - 1e-6) {
      throw new ShenbiError('INVALID_INPUT', `${what} ${index} starts before the one before it; give them in time order.`, { details: { index } });
    }
    previous = item.start;
  });
}

/**
 * Tokens into units: punctuation-only tokens join their neighbour (opening ones the next word,
 * the rest the previous word) and leading closing punctuation moves back, so no unit, and thus
 * no line, starts with closing punctuation.
 */
function toUnits(tokens: readonly Token[]): Unit[] {
  const units: Unit[] = [];
  let opening: Token | undefined;
  for (const token of tokens) {
    let text = token.text;
    let { start, space } = token;
    const prev = units[units.length - 1];
    if ([...text].every(isOpening)) {
      opening = opening === undefined ? token : { ...opening, text: opening.text + text, end: token.end };
      continue;
    }
    if (opening !== undefined) {
      text = opening.text + text;
      start = Math.min(start, opening.start);
      space = opening.space;
      opening = undefined;
    } else if (prev !== undefined) {
      let lead = 0;
      while (lead < text.length && isClosing(text[lead]!)) lead++;
      if (lead === text.length || (isPunctuationOnly(text) && !space)) {
        prev.text += text;
        prev.end = Math.max(prev.end, token.end);
        continue;
      }
      if (lead > 0) {
        prev.text += text.slice(0, lead);
        text = text.slice(lead);
      }
    }
    units.push({ text, start, end: token.end, space, strength: 0 });
  }
  if (opening !== undefined) {
    const prev = units[units.length - 1];
    if (prev === undefined) units.push({ text: opening.text, start: opening.start, end: opening.end, space: false, strength: 0 });
    else prev.text += opening.text;
  }
  for (const unit of units) unit.strength = endStrength(unit.text);
  return units;
}

const PIECE = /(\s+)|([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])|([^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+)/gu;

/**
 * Text with no word timings into tokens (CJK characters, space-separated words), each given a
 * share of [start, end] proportional to its letters; punctuation takes no time.
 */
function splitProportional(text: string, start: number, end: number, firstSpace: boolean): Token[] {
  const pieces: Array<{ text: string; space: boolean; weight: number }> = [];
  let sawSpace = firstSpace;
  for (const m of text.matchAll(PIECE)) {
    if (m[1] !== undefined) {
      sawSpace = pieces.length > 0 || firstSpace;
      continue;
    }
    const piece = m[0];
    pieces.push({ text: piece, space: sawSpace, weight: charCount(piece.replace(/[\p{P}\p{S}]/gu, '')) });
    sawSpace = false;
  }
  const total = pieces.reduce((sum, p) => sum + p.weight, 0);
  const tokens: Token[] = [];
  let done = 0;
  for (const [i, piece] of pieces.entries()) {
    const share = total === 0 ? 1 / pieces.length : piece.weight / total;
    const t0 = start + (end - start) * (total === 0 ? i / pieces.length : done / total);
    done += total === 0 ? 0 : piece.weight;
    const t1 = total === 0 ? t0 + (end - start) * share : start + (end - start) * (done / total);
    tokens.push({ text: piece.text, start: t0, end: t1, space: piece.space });
  }
  return tokens;
}

function lineText(units: readonly Unit[]): string {
  return units.map((u, i) => (i > 0 && u.space ? ` ${u.text}` : u.text)).join('');
}

function lineLength(units: readonly Unit[], from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) n += charCount(units[k]!.text) + (k > from && units[k]!.space ? 1 : 0);
  return n;
}

/** Fewest lines units[from, to) need when filled greedily (which is the minimum). */
function linesNeeded(units: readonly Unit[], from: number, to: number, maxChars: number): number {
  let lines = 1;
  let length = 0;
  for (let k = from; k < to; k++) {
    const width = charCount(units[k]!.text);
    const add = length === 0 ? width : length + (units[k]!.space ? 1 : 0) + width;
    if (length > 0 && add > maxChars) {
      lines++;
      length = width;
    } else length = add;
  }
  return lines;
}

/** Cost of ending a line or cue after unit k: cheapest at a sentence end, dearest mid-phrase. */
function breakCost(units: readonly Unit[], k: number, s: Settings): number {
  const unit = units[k]!;
  const next = units[k + 1];
  if (next === undefined) return 0;
  const gap = next.start - unit.end;
  if (unit.strength === 2 || gap > 3 * s.pauseGap) return 0;
  const pause = gap > s.pauseGap;
  if (unit.strength === 1) return pause ? 0.5 : 2;
  return pause ? 2.5 : 10;
}

/** Cost of keeping units k and k+1 in the same cue: a sentence end or a pause inside a cue is discouraged. */
function joinCost(units: readonly Unit[], k: number, s: Settings): number {
  const gap = units[k + 1]!.start - units[k]!.end;
  let cost = units[k]!.strength === 2 ? 2 : 0;
  if (gap > 3 * s.pauseGap) cost += 8;
  else if (gap > s.pauseGap) cost += 3;
  return cost;
}

/** Lays units[from, to) on the fewest lines, balanced, breaking at punctuation where it can. */
function layout(units: readonly Unit[], from: number, to: number, s: Settings): string[] {
  const count = linesNeeded(units, from, to, s.maxChars);
  if (count <= 1) return [lineText(units.slice(from, to))];
  const n = to - from;
  const target = lineLength(units, from, to) / count;
  // cost[l][p]: best cost of the first p units on l lines; back[l][p] where the last line starts.
  const cost: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const back: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(0));
  cost[0]![0] = 0;
  for (let l = 1; l <= count; l++) {
    for (let p = 1; p <= n; p++) {
      for (let q = p - 1; q >= 0; q--) {
        const len = lineLength(units, from + q, from + p);
        if (len > s.maxChars && p - q > 1) break;
        const before = cost[l - 1]![q]!;
        if (before === Infinity) continue;
        const broken = p < n ? Math.min(breakCost(units, from + p - 1, s), 10) / 10 : 0;
        const c = before + 3 * ((len - target) / s.maxChars) ** 2 + broken;
        if (c < cost[l]![p]!) {
          cost[l]![p] = c;
          back[l]![p] = q;
        }
      }
    }
  }
  const lines: string[] = [];
  let p = n;
  for (let l = count; l > 0; l--) {
    const q = back[l]![p]!;
    lines.unshift(lineText(units.slice(from + q, from + p)));
    p = q;
  }
  return lines;
}

/** Chooses cue boundaries minimising break costs over the whole text, then fixes the timing. */
function segmentUnits(units: readonly Unit[], s: Settings): Cue[] {
  const n = units.length;
  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(0);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    let inside = 0;
    for (let i = j - 1; i >= 0; i--) {
      if (i < j - 1) {
        inside += joinCost(units, i, s);
        if (units[j - 1]!.end - units[i]!.start > s.maxDuration) break;
        if (linesNeeded(units, i, j, s.maxChars) > s.maxLines) break;
      }
      const duration = units[j - 1]!.end - units[i]!.start;
      const short = duration < s.minDuration ? 1 : 0;
      const c = best[i]! + 1 + breakCost(units, j - 1, s) + inside + short;
      if (c < best[j]!) {
        best[j] = c;
        from[j] = i;
      }
    }
  }
  const spans: Array<[number, number]> = [];
  for (let j = n; j > 0; j = from[j]!) spans.unshift([from[j]!, j]);
  const cues: Cue[] = spans.map(([i, j]) => {
    const start = units[i]!.start;
    return { start, end: Math.min(units[j - 1]!.end, start + s.maxDuration), lines: layout(units, i, j, s) };
  });
  cues.forEach((cue, k) => {
    const next = cues[k + 1];
    const limit = next === undefined ? Infinity : next.start;
    if (cue.end - cue.start < s.minDuration) cue.end = Math.min(cue.start + s.minDuration, limit);
    cue.end = Math.max(cue.start, Math.min(cue.end, limit));
  });
  return cues;
}

function explodeLongUnits(units: readonly Unit[], s: Settings): Unit[] {
  return units.flatMap((unit) => {
    if (charCount(unit.text) <= s.maxChars) return [unit];
    const pieces = toUnits(splitProportional(unit.text, unit.start, unit.end, unit.space));
    const last = pieces[pieces.length - 1];
    if (last !== undefined) last.strength = Math.max(last.strength, unit.strength);
    return pieces;
  });
}

/** Cues from timed words (TTS, forced alignment or recognition), in time order. */
export function cuesFromWords(words: readonly TimedText[], options: SegmentOptions = {}): Cue[] {
  checkTimes(words, 'Word');
  const settings = settingsFor(options, words.map((w) => w.text));
  const tokens: Token[] = [];
  for (const word of words) {
    const text = word.text.trim().replace(/\s+/g, ' ');
    if (text === '') continue;
    const prev = tokens[tokens.length - 1];
    tokens.push({ text, start: word.start, end: word.end, space: prev !== undefined && spaceBetween(prev.text, text) });
  }
  return segmentUnits(explodeLongUnits(toUnits(tokens), settings), settings);
}

/**
 * Cues from timed sentences with no word timings: a sentence too long for one cue is split
 * between characters (CJK) or words, with time shared in proportion to the text.
 */
export function cuesFromSentences(sentences: readonly TimedText[], options: SegmentOptions = {}): Cue[] {
  checkTimes(sentences, 'Sentence');
  const settings = settingsFor(options, sentences.map((t) => t.text));
  const units: Unit[] = [];
  let previousText = '';
  for (const sentence of sentences) {
    const text = sentence.text.trim();
    if (text === '') continue;
    const space = previousText !== '' && spaceBetween(previousText, text);
    const sentenceUnits = toUnits(splitProportional(text, sentence.start, sentence.end, space));
    const last = sentenceUnits[sentenceUnits.length - 1];
    if (last !== undefined) last.strength = 2; // a sentence boundary, punctuated or not
    units.push(...sentenceUnits);
    previousText = text;
  }
  return segmentUnits(units, settings);
}
