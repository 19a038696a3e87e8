export { detectSpeechWhisper, releaseWhisper, transcribe, WHISPER_ENGINE_INFO, type Transcript, type TranscribeOptions } from './whisper.ts';
