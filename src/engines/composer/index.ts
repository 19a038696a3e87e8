export { compose, composeRequestSchema, type ComposeRequest } from './compose.ts';
export { PPQ, ticksToSeconds, type Composition, type Note, type PlacedLine, type PlacedSyllable, type Track } from './composition.ts';
export { MAX_LINES, MAX_SYLLABLES, parseLyrics, syllabifyEnglish, type LyricLine, type Syllable } from './lyrics.ts';
export { toMidi } from './midi.ts';
export { GENRES, MOODS, type Mood } from './style.ts';
export { inKey, parseKey, scaleOf, type Key } from './theory.ts';
