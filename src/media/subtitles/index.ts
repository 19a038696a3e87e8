export type { AssOptions, Cue, LrcDocument, LrcLine, LrcWriteOptions, SegmentOptions } from './types.ts';
export { parseSrt, writeSrt } from './srt.ts';
export { parseVtt, writeVtt } from './vtt.ts';
export { parseAss, writeAss } from './ass.ts';
export { parseLrc, writeLrc } from './lrc.ts';
export { cuesFromSentences, cuesFromWords } from './segment.ts';
