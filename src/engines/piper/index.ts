export { createPiperEngine, MAX_PIPER_TEXT_CHARS, PIPER_ENGINE_INFO, type PiperEngine, type PiperSynthesisResult, type PiperSynthesizeOptions } from './piper-engine.ts';
export { espeakToPiperPhonemes, phonemesToIds, type PhonemeIds } from './phoneme-ids.ts';
export { createEspeakPhonemizer, type Phonemize } from './phonemizer.ts';
export { readPiperVoiceConfig, piperVoiceConfigSchema, type PiperVoiceConfig } from './voice-config.ts';
export { findPiperVoiceFiles, type PiperVoiceFiles } from './voice-dir.ts';
