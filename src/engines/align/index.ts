export { alignToReference, forcedAlign, type AlignOptions, type ForcedAlignment, type ForcedAlignOptions } from './forced-align.ts';
export { dtw, dtwInBand, dtwMultiscale, sakoeChibaBand, type Band, type DtwOptions, type DtwResult, type Features, type FrameDistance, type MultiscaleDtwOptions, type WarpingPath } from './dtw.ts';
export { chunkScript, synthesizeReference, type ReferenceSpeech, type SynthesizeFn } from './reference-speech.ts';
export { findPauses, trimWordsToSound, type Pause, type PauseOptions } from './pauses.ts';
export { sentencesFromWords } from './sentences.ts';
export { soundSpan, type SoundSpan } from './silence.ts';
export { referenceToAudioTime } from './time-map.ts';
