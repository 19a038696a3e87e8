import type { PcmAudio } from './pcm.ts';

export interface DuckOptions {
  /** How far the bed drops while the voice is present, in dB (negative). */
  duckDb?: number;
  /** Envelope attack and release, seconds. */
  attack?: number;
  release?: number;
  /** Voice level above which the bed ducks (linear envelope). */
  threshold?: number;
  /** Seconds the detector reads the voice ahead, so the bed is already down at a word's first consonant. Default 0. */
  lookahead?: number;
}

/**
 * Voice over a music bed with sidechain ducking: the bed dips smoothly while the voice is
 * present, so words stay intelligible without the music vanishing. Same sample rate required;
 * the result is as long as the longer input.
 */
export function duckAndMix(bed: PcmAudio, voice: PcmAudio, options: DuckOptions = {}): PcmAudio {
  if (bed.sampleRate !== voice.sampleRate) throw new RangeError('duckAndMix: sample rates differ');
  const rate = bed.sampleRate;
  const duck = 10 ** ((options.duckDb ?? -6) / 20);
  const attack = Math.exp(-1 / ((options.attack ?? 0.02) * rate));
  const release = Math.exp(-1 / ((options.release ?? 0.3) * rate));
  const threshold = options.threshold ?? 0.02;
  const ahead = Math.max(0, Math.round((options.lookahead ?? 0) * rate));
  const length = Math.max(bed.samples.length, voice.samples.length);
  const out = new Float32Array(length);
  let envelope = 0;
  let gain = 1;
  for (let i = 0; i < length; i++) {
    const v = voice.samples[i] ?? 0;
    const level = Math.abs(voice.samples[i + ahead] ?? 0);
    envelope = level > envelope ? attack * envelope + (1 - attack) * level : release * envelope + (1 - release) * level;
    const target = envelope > threshold ? duck : 1;
    gain = target < gain ? attack * gain + (1 - attack) * target : release * gain + (1 - release) * target;
    out[i] = (bed.samples[i] ?? 0) * gain + v;
  }
  return { sampleRate: rate, samples: out };
}

/** Scales a signal so its RMS over the loud parts matches `targetDb` (a rough vocal level before the mix). */
export function gainTo(audio: PcmAudio, targetDb: number): PcmAudio {
  let sum = 0;
  let count = 0;
  for (const s of audio.samples) {
    if (Math.abs(s) > 0.005) {
      sum += s * s;
      count++;
    }
  }
  if (count === 0) return audio;
  const rms = Math.sqrt(sum / count);
  const gain = 10 ** (targetDb / 20) / rms;
  return { sampleRate: audio.sampleRate, samples: audio.samples.map((s) => s * gain) };
}
