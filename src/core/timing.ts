/** A span of text with its place in time, in seconds: a word, a sentence, a subtitle cue, a lyric line. */
export interface TimedText {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}
