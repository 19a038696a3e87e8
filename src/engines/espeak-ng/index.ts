export { EspeakEngine, ESPEAK_ENGINE_INFO, MAX_TEXT_CHARS, synthesizeOptionsSchema, type SpeechVoice, type Synthesis, type SynthesizeOptions } from './engine.ts';
export { chooseVoice, detectLanguage } from './voices.ts';
