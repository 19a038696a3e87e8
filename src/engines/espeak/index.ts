export {
  createEspeakEngine,
  ESPEAK_ENGINE_INFO,
  MAX_TEXT_CHARS,
  type EspeakEngine,
  type SynthesisResult,
  type SynthesizeOptions,
  type VoiceInfo,
} from './espeak-engine.ts';
export { ESPEAK_RUNNER_PATH, type RunnerClientOptions } from './runner-client.ts';
