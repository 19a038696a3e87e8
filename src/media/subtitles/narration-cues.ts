/**
 * Subtitles for narration that Shenbi speaks itself (narrated videos, shorts): scene by scene,
 * so no cue ever holds words of two scenes or shows a scene's words before it starts. The
 * voice's word events carry no punctuation, so it is restored from the narration text; cues
 * then break at sentence and clause ends (segment.ts). Netflix timed-text limits: at most 16
 * CJK or 42 other characters a line, 2 lines, each cue shown at least 0.83 s (5/6 s).
 *
 * Displayed punctuation follows Chinese subtitle convention: 。，、；： are not shown (a
 * full stop or comma inside a line becomes a space, at a line's end it is dropped); ？！…,
 * quotes and book-title marks stay. Text in other scripts keeps its punctuation as written.
 */
import type { TimedText } from '../../core/timing.ts';
import { cuesFromWords } from './segment.ts';
import { charCount, hasCjk, isOpening } from './script.ts';
import type { Cue } from './types.ts';

/** Netflix timed-text style: 20 frames at 24 fps. */
export const NARRATION_MIN_CUE_SECONDS = 5 / 6;

export interface NarratedScene {
  /** The narration as written, with its punctuation. */
  readonly text: string;
  /** The voice's timed words (any punctuation stripped), in seconds on the video's timeline. */
  readonly words: readonly TimedText[];
  /** When the scene is on screen: cues stay inside [start, end]. */
  readonly start: number;
  readonly end: number;
}

/**
 * The voice's words with the narration's punctuation put back: what stands between two words
 * goes to the word before it (closing marks: 。，？」) or after it (opening marks: “《(). A word
 * the voice reads differently from the text (a number spelt out) is kept as spoken, and text
 * the voice skipped is not attached to anything.
 */
export function punctuateWords(text: string, words: readonly TimedText[]): TimedText[] {
  const located: { from: number; to: number }[] = [];
  let cursor = 0;
  for (const word of words) {
    const at = word.text === '' ? -1 : text.indexOf(word.text, cursor);
    // Only accept a match close by: a far one is a different occurrence of the same word.
    if (at >= 0 && at - cursor <= 12) {
      located.push({ from: at, to: at + word.text.length });
      cursor = at + word.text.length;
    } else located.push({ from: -1, to: -1 });
  }
  const out = words.map((word) => ({ ...word }));
  let previous = -1;
  let previousEnd = 0;
  const attach = (gap: string, next: number): void => {
    // Marks touching the word before (no space between): closing ones stay with it, from an opening one on they go to the next word.
    const head = /^[^\s\p{L}\p{N}]*/u.exec(gap)![0];
    const opening = [...head].findIndex((ch) => isOpening(ch));
    const closing = opening < 0 ? head : head.slice(0, opening);
    let leading = opening < 0 ? '' : head.slice(opening);
    if (head.length < gap.length) {
      // Marks touching the next word (after a space): they open it.
      leading = /[^\s\p{L}\p{N}]*$/u.exec(gap.slice(head.length))![0];
    }
    if (previous >= 0) out[previous]!.text += closing;
    else leading = closing + leading;
    if (next >= 0) out[next]!.text = leading + out[next]!.text;
  };
  located.forEach((item, i) => {
    if (item.from < 0) return;
    attach(text.slice(previousEnd, item.from), i);
    previous = i;
    previousEnd = item.to;
  });
  if (previous >= 0) out[previous]!.text += /^[^\s\p{L}\p{N}]*/u.exec(text.slice(previousEnd))![0];
  return out;
}

/** Chinese subtitle convention for punctuation: see the file comment. */
function displayLine(line: string): string {
  if (!hasCjk(line)) return line;
  return line
    .replace(/[。，、；：]+$/u, '')
    .replace(/[。，、；：]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Cue times inside the scene, each at least `min` long where the scene leaves room, in order, never overlapping. */
function fitTimes(cues: Cue[], start: number, end: number, min: number): Cue[] {
  for (const cue of cues) {
    cue.start = Math.min(Math.max(cue.start, start), end);
    cue.end = Math.min(Math.max(cue.end, cue.start), end);
  }
  // Forwards: lengthen short cues, pushing the next one later (its words show a moment after they are said).
  cues.forEach((cue, k) => {
    const previous = cues[k - 1];
    if (previous !== undefined && cue.start < previous.end) cue.start = previous.end;
    cue.end = Math.min(end, Math.max(cue.end, cue.start + min));
  });
  // Backwards: a cue squeezed at the scene's end starts earlier, taking time from the one before.
  for (let k = cues.length - 1; k >= 0; k--) {
    const cue = cues[k]!;
    const next = cues[k + 1];
    if (next !== undefined && cue.end > next.start) cue.end = next.start;
    if (cue.end - cue.start < min) cue.start = Math.max(start, cue.end - min);
    const previous = cues[k - 1];
    if (previous !== undefined && previous.end > cue.start) previous.end = cue.start;
  }
  return cues.filter((cue) => cue.end > cue.start);
}

/** Scene by scene narration cues; see the file comment for the rules. */
export function narrationCues(scenes: readonly NarratedScene[]): Cue[] {
  const cues: Cue[] = [];
  for (const scene of scenes) {
    if (scene.words.length === 0) continue;
    const cjk = hasCjk(scene.text);
    const words = punctuateWords(scene.text, scene.words);
    const sceneCues = cuesFromWords(words, { cjk, maxLines: 2, maxCharsPerLine: cjk ? 16 : 42, minDuration: NARRATION_MIN_CUE_SECONDS })
      .map((cue) => ({ ...cue, lines: cue.lines.map(displayLine).filter((line) => charCount(line) > 0) }))
      .filter((cue) => cue.lines.length > 0);
    cues.push(...fitTimes(sceneCues, scene.start, scene.end, NARRATION_MIN_CUE_SECONDS));
  }
  return cues;
}
