import type { TimedText } from '../../core/timing.ts';
import { splitSentences } from '../../media/text/sentences.ts';
import type { RunnerEvent } from './protocol.ts';

/**
 * Turns eSpeak's word events into timed words and sentences. eSpeak reports where each word
 * starts (a code-point offset) and when; its word lengths are unreliable (0, or 1 for a
 * multi-character Mandarin word such as 你好), so a word's text runs from its offset to the
 * next word or clause boundary, without surrounding spaces and punctuation. Several events for
 * one written token ("3.50" read as three words) are merged, so starts strictly increase.
 */

interface WordSpan {
  text: string;
  start: number;
  end: number;
  /** UTF-16 offsets into the input. */
  from: number;
}

const EDGE_PUNCTUATION = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

export interface Timings {
  readonly words: TimedText[];
  readonly sentences: TimedText[];
}

export function buildTimings(text: string, events: readonly RunnerEvent[], duration: number): Timings {
  const words = wordSpans(text, events, duration);
  return {
    words: words.map(({ text: t, start, end }) => ({ text: t, start, end })),
    sentences: sentenceSpans(text, words),
  };
}

function wordSpans(text: string, events: readonly RunnerEvent[], duration: number): WordSpan[] {
  const points = Array.from(text);
  // UTF-16 offset of every code point, so code-point offsets from eSpeak map back to the string.
  const utf16 = new Array<number>(points.length + 1);
  utf16[0] = 0;
  for (let i = 0; i < points.length; i++) utf16[i + 1] = utf16[i]! + points[i]!.length;

  const kept: RunnerEvent[] = [];
  for (const event of events) {
    if (event.type !== 'word') continue;
    const prev = kept.at(-1);
    const insidePrev = prev !== undefined && (event.charIndex <= prev.charIndex || event.charIndex < prev.charIndex + prev.charLength);
    if (prev !== undefined && (insidePrev || event.time <= prev.time)) continue;
    if (event.time >= duration) continue;
    kept.push(event);
  }
  // Clause and sentence ends only: phoneme events fall inside words and must not cut them.
  const boundaries = events.filter((e) => e.type === 'sentence' || e.type === 'end');

  const spans: WordSpan[] = [];
  kept.forEach((event, i) => {
    const next = kept[i + 1];
    const charStart = Math.min(event.charIndex, points.length);
    let charEnd = next === undefined ? points.length : next.charIndex;
    const clauseEnd = boundaries.find((b) => b.charIndex > charStart && b.charIndex < charEnd);
    if (clauseEnd !== undefined) charEnd = clauseEnd.charIndex;
    charEnd = Math.min(points.length, Math.max(charEnd, charStart + event.charLength));
    const raw = points.slice(charStart, charEnd).join('');
    const stripped = raw.replace(EDGE_PUNCTUATION, '');
    const word = stripped === '' ? raw.trim() : stripped;
    let end = next === undefined ? duration : next.time;
    const pause = boundaries.find((b) => b.time > event.time && b.time < end);
    if (pause !== undefined) end = pause.time;
    end = Math.min(duration, Math.max(end, event.time));
    if (word === '') {
      // Nothing readable (a stray space): its time belongs to the word before.
      const prev = spans.at(-1);
      if (prev !== undefined) prev.end = end;
      return;
    }
    spans.push({ text: word, start: event.time, end, from: utf16[charStart]! });
  });
  return spans;
}

function sentenceSpans(text: string, words: readonly WordSpan[]): TimedText[] {
  // Locate each sentence in the input (they are trimmed substrings, in order).
  const ranges: { text: string; from: number }[] = [];
  let cursor = 0;
  for (const sentence of splitSentences(text)) {
    const at = text.indexOf(sentence, cursor);
    const from = at < 0 ? cursor : at;
    ranges.push({ text: sentence, from });
    cursor = from + sentence.length;
  }
  const out: TimedText[] = [];
  let r = -1;
  let first: WordSpan | undefined;
  let last: WordSpan | undefined;
  const flush = (): void => {
    if (first !== undefined && last !== undefined && r >= 0) out.push({ text: ranges[r]!.text, start: first.start, end: last.end });
    first = undefined;
    last = undefined;
  };
  for (const word of words) {
    let index = r;
    while (index + 1 < ranges.length && ranges[index + 1]!.from <= word.from) index++;
    if (index !== r) {
      flush();
      r = index;
    }
    first ??= word;
    last = word;
  }
  flush();
  return out;
}
