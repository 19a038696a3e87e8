import { normalizeLoudnessTransient, type NormalizeOptions } from './loudness.ts';
import type { PcmAudio } from './pcm.ts';
import { encodeWav } from './wav.ts';

export interface MasteredWav {
  /** 16-bit PCM WAV of the normalised signal (what encodeAudio(…, 'wav') writes). */
  readonly bytes: Uint8Array;
  /** Samples in the file per channel (the normalised length, the same as the input's). */
  readonly frames: number;
  readonly sampleRate: number;
}

/**
 * normalizeLoudness then encodeWav, as one worker-pool task: the normalised float signal
 * (4 bytes a sample) never crosses back to the main thread to be sent out again for encoding;
 * only the 2-byte-a-sample file does, moved, not copied.
 */
export function masterWav(audio: PcmAudio, options: NormalizeOptions, channels = 1): MasteredWav {
  const mastered = normalizeLoudnessTransient(audio, options);
  return { bytes: encodeWav(mastered, channels), frames: mastered.samples.length, sampleRate: mastered.sampleRate };
}
