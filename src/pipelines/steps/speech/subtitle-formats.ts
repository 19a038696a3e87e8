import type { TimedText } from '../../../core/timing.ts';
import { cuesFromSentences, cuesFromWords, writeAss, writeLrc, writeSrt, writeVtt } from '../../../media/subtitles/index.ts';

export const SUBTITLE_FORMATS = ['srt', 'vtt', 'ass', 'lrc'] as const;
export type SubtitleFormat = (typeof SUBTITLE_FORMATS)[number];

export const SUBTITLE_MIME: Record<SubtitleFormat, string> = {
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  ass: 'text/x-ass; charset=utf-8',
  lrc: 'application/x-lrc; charset=utf-8',
};

/** Timed words (or, without them, sentences) → a subtitle file in the chosen format. */
export function subtitleFile(format: SubtitleFormat, words: readonly TimedText[], sentences: readonly TimedText[]): string {
  if (format === 'lrc') return writeLrc(sentences.length > 0 ? [...sentences] : [...words]);
  const cues = words.length > 0 ? cuesFromWords([...words]) : cuesFromSentences([...sentences]);
  if (format === 'srt') return writeSrt(cues);
  if (format === 'vtt') return writeVtt(cues);
  return writeAss(cues);
}
