import { toDb, type PcmAudio } from '../../media/audio/pcm.ts';

/** Morse "AI" (·− ··), GB 45438 §5.3 c)'s 短长短短: tone and gap lengths in units. */
export const AI_RHYTHM_UNITS = [1, 1, 3, 1, 1, 1, 1] as const;
/** 100 ms per unit: dots 100 ms, the dash 300 ms, 1-unit gaps (an engineering choice; labeling.md §1.3). */
export const RHYTHM_UNIT_SECONDS = 0.1;
export const RHYTHM_FREQUENCY_HZ = 1000;
const FADE_SECONDS = 0.005;

/**
 * The rhythm label as mono PCM: 1 kHz tone bursts with 5 ms raised-cosine fades (no clicks),
 * silence between them. `amplitude` is the sine's peak (linear, 0..1).
 */
export function aiRhythm(sampleRate: number, amplitude: number): PcmAudio {
  const unit = Math.round(RHYTHM_UNIT_SECONDS * sampleRate);
  const total = AI_RHYTHM_UNITS.reduce((sum, units) => sum + units * unit, 0);
  const samples = new Float32Array(total);
  const fade = Math.max(1, Math.round(FADE_SECONDS * sampleRate));
  let offset = 0;
  AI_RHYTHM_UNITS.forEach((units, index) => {
    const length = units * unit;
    if (index % 2 === 0) {
      for (let i = 0; i < length; i++) {
        const edge = Math.min(i, length - 1 - i);
        const envelope = edge >= fade ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade);
        samples[offset + i] = amplitude * envelope * Math.sin((2 * Math.PI * RHYTHM_FREQUENCY_HZ * i) / sampleRate);
      }
    }
    offset += length;
  });
  return { sampleRate, samples };
}

/** The label sits this far under the content's active level, within these bounds (dBFS RMS). */
const BELOW_CONTENT_DB = 6;
const LEVEL_BOUNDS_DB = [-36, -14] as const;

/** The label's level: 6 dB under the content's active RMS, within bounds; -24 dBFS over silence. */
export function labelLevelDb(content: PcmAudio): number {
  return labelLevelDbForRms(activeRms(content));
}

/** labelLevelDb from the content's active RMS. */
export function labelLevelDbForRms(contentRms: number): number {
  return contentRms > 0 ? Math.min(LEVEL_BOUNDS_DB[1], Math.max(LEVEL_BOUNDS_DB[0], toDb(contentRms) - BELOW_CONTENT_DB)) : -24;
}

export function dbToLinear(db: number): number {
  return 10 ** (db / 20);
}

/** RMS of the parts that carry sound (50 ms frames above −50 dBFS), so pauses don't lower the reference. */
export function activeRms(audio: PcmAudio): number {
  return activeRmsOf(audio.samples, 1, audio.sampleRate);
}

/**
 * activeRms of samples read as value × scale: 16-bit PCM with scale 1/32768 gives the numbers
 * decodeWav would (a power of two: exact), without decoding the file first.
 */
export function activeRmsOf(samples: Float32Array | Int16Array, scale: number, sampleRate: number): number {
  const frame = Math.max(1, Math.round(sampleRate * 0.05));
  const floor = 10 ** (-50 / 20);
  let sum = 0;
  let count = 0;
  for (let start = 0; start < samples.length; start += frame) {
    const end = Math.min(samples.length, start + frame);
    let frameSum = 0;
    for (let i = start; i < end; i++) {
      const sample = samples[i]! * scale;
      frameSum += sample * sample;
    }
    if (Math.sqrt(frameSum / (end - start)) < floor) continue;
    sum += frameSum;
    count += end - start;
  }
  return count === 0 ? 0 : Math.sqrt(sum / count);
}
