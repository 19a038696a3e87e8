import { formatClock } from '../../media/subtitles/timecode.ts';

/** How long the notice cue shows: as long as the video's visible mark (GB 45438 §5.2, [0, 2.5 s]). */
export const SUBTITLE_NOTICE_SECONDS = 2.5;
const SRT_CLOCK = { digits: 3, separator: ',', hourDigits: 2 } as const;
const TIMING = /^\s*(\d+:\d\d:\d\d[,.]\d{1,3})\s*-->\s*(\d+:\d\d:\d\d[,.]\d{1,3})/;

function seconds(clock: string): number {
  const [h, m, s] = clock.replace(',', '.').split(':');
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/**
 * SubRip has no comment or metadata syntax (every block is a cue players show), so an SRT
 * carries its label as a shown cue with the wording (GB 45438 §5.1, a text notice at the start
 * or end): from 0 to 2.5 s as the first cue ('prefix'), or for 2.5 s after the last cue
 * ('suffix'). Players stack it with a cue shown at the same time. The cues are renumbered
 * from 1; their times and text are untouched. Undefined when the text has no SRT cue.
 */
export function labelSrt(text: string, wording: string, position: 'prefix' | 'suffix'): string | undefined {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const blocks = text
    .slice(bom.length)
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .map((block) => block.split(/\r?\n/))
    .filter((lines) => lines.some((line) => line.trim() !== ''));
  const cues = blocks.map((lines) => {
    const timingAt = lines.findIndex((line) => TIMING.test(line));
    return timingAt < 0 ? undefined : { timing: lines.slice(timingAt), ends: seconds(TIMING.exec(lines[timingAt]!)![2]!) };
  });
  if (cues.length === 0 || cues.some((cue) => cue === undefined)) return undefined;
  const timed = cues as { timing: string[]; ends: number }[];
  const from = position === 'prefix' ? 0 : Math.max(...timed.map((cue) => cue.ends));
  const shown = wording.replace(/\s*\r?\n\s*/g, ' ');
  const notice = { timing: [`${formatClock(from, SRT_CLOCK)} --> ${formatClock(from + SUBTITLE_NOTICE_SECONDS, SRT_CLOCK)}`, shown], ends: from + SUBTITLE_NOTICE_SECONDS };
  const ordered = position === 'prefix' ? [notice, ...timed] : [...timed, notice];
  return bom + ordered.map((cue, i) => [String(i + 1), ...cue.timing].join(eol)).join(eol + eol) + eol;
}
