export { MIX_LEVELS, MIX_LIMITS, MIX_SAMPLE_RATE, mixShortAudio, mixShortAudioInThread, type ShortMixInput, type ShortMixResult } from './mix-short-audio.ts';
