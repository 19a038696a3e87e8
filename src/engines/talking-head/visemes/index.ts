/**
 * Visemes for the digital human: eSpeak phonemes (English, Mandarin) → the 15 Oculus visemes
 * → one mouth shape per video frame, with co-articulation and the audio's speech envelope.
 * docs/visemes.md documents the table.
 */
export { visemeForPhoneme, phonemeVisemes, listedPhonemes, type PhonemeVisemes, type VisemePart } from './phoneme-table.ts';
export { phonemeKey } from './phoneme-normalize.ts';
export { VISEME_SHAPES } from './viseme-shapes.ts';
export { visemesFromPhonemes } from './visemes-from-phonemes.ts';
export { phonemesFromWords, splitPhonemes, type PhonemizeText } from './phonemes-from-words.ts';
export { speechEnvelope } from './speech-envelope.ts';
export { mouthTrack, frameCount } from './mouth-track.ts';
export { mouthTrackFromEnvelope } from './mouth-track-from-envelope.ts';
export { speechEnvelopeOffThread, mouthTrackOffThread, type VisemesOffThreadOptions } from './off-thread.ts';
