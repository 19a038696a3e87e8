import type { TimedText } from '../../core/timing.ts';

/** One subtitle cue: shown from `start` to `end` (seconds), one string per displayed line. */
export interface Cue {
  start: number;
  end: number;
  lines: string[];
}

/** Style of the single `Default` style an ASS script is written with. */
export interface AssOptions {
  /** Font family; must not contain a comma (ASS style lines are comma-separated). */
  fontName?: string;
  /** In script pixels (PlayResY scale); default playResY / 18 (60 at 1080p). */
  fontSize?: number;
  playResX?: number;
  playResY?: number;
  /** Distance of the bottom line from the frame edge; default playResY / 20. */
  marginV?: number;
  marginL?: number;
  marginR?: number;
  /** Outline width; default fontSize / 20. */
  outline?: number;
  shadow?: number;
  bold?: boolean;
  /** Numpad position, 2 = bottom centre. */
  alignment?: number;
  /** 1 = outline and shadow, 3 = opaque box. */
  borderStyle?: 1 | 3;
  /** Colours as `#RRGGBB`, `#RRGGBBAA` (AA = opacity, FF opaque) or ASS `&HAABBGGRR`. */
  primaryColour?: string;
  secondaryColour?: string;
  outlineColour?: string;
  backColour?: string;
  title?: string;
}

export interface LrcWriteOptions {
  title?: string;
  artist?: string;
  album?: string;
  /** Song length in seconds, written as `[length:]`. */
  length?: number;
  /** Word timings per line (same index as the line) for enhanced LRC `<mm:ss.xx>` stamps. */
  words?: ReadonlyArray<ReadonlyArray<TimedText> | undefined>;
}

export interface LrcLine {
  text: string;
  start: number;
  /** The next later stamp (a following line or an empty end marker), else `[length:]`, else undefined. */
  end: number | undefined;
  /** Word timings when the line carries enhanced-LRC `<mm:ss.xx>` stamps. */
  words?: TimedText[];
}

export interface LrcDocument {
  /** Sorted by start; a line with several time tags appears once per tag. */
  lines: LrcLine[];
  /** Metadata tags by lower-case key (`ti`, `ar`, `al`, `length`, `offset`, ...). */
  tags: Record<string, string>;
  /** `[length:]` in seconds, when present and readable. */
  length: number | undefined;
}

export interface SegmentOptions {
  /** Default 16 for Chinese/Japanese/Korean text, 42 otherwise. */
  maxCharsPerLine?: number;
  /** Default 2. */
  maxLines?: number;
  /** Seconds; short cues are extended into the gap before the next one. Default 0.8. */
  minDuration?: number;
  /** Seconds; longer stretches are split. Default 7. */
  maxDuration?: number;
  /** A silence longer than this (seconds) between words counts as a phrase break. Default 0.5. */
  pauseGap?: number;
  /** Force CJK (true) or space-separated (false) defaults; detected from the text when absent. */
  cjk?: boolean;
}
