export { detectSpeech, SILERO_VAD_ENGINE_INFO, speechProbabilities, type SpeechSegment, type VadOptions } from './silero.ts';
