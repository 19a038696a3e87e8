import type { PcmAudio } from '../../../media/audio/pcm.ts';

/** Below this the signal counts as silence whatever the recording's level. */
const ABSOLUTE_FLOOR_DB = -60;
/** The envelope spans this many dB below the loud end (the 95th percentile). */
const DYNAMIC_RANGE_DB = 40;

/**
 * How loud speech is at each video frame, 0..1: RMS in a window centred on the frame's time
 * (i / fps, one frame long), in dB, mapped linearly between a noise floor and the 95th
 * percentile of the frames' levels (so one shout does not flatten the rest). Centred, so the
 * envelope is never late or early against the audio.
 */
export function speechEnvelope(audio: PcmAudio, fps: number): Float32Array {
  if (!(fps > 0) || !(audio.sampleRate > 0)) return new Float32Array(0);
  const { samples, sampleRate } = audio;
  const frames = Math.ceil((samples.length / sampleRate) * fps);
  // Prefix sums of squares: each window's energy in O(1).
  const energy = new Float64Array(samples.length + 1);
  for (let i = 0; i < samples.length; i++) energy[i + 1] = energy[i]! + samples[i]! * samples[i]!;
  const half = Math.max(1, Math.round(sampleRate / fps / 2));
  const levels = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const centre = Math.round((f / fps) * sampleRate);
    const from = Math.max(0, centre - half);
    const to = Math.min(samples.length, centre + half);
    const mean = to > from ? (energy[to]! - energy[from]!) / (to - from) : 0;
    levels[f] = mean > 0 ? 10 * Math.log10(mean) : -Infinity;
  }
  const finite = Array.from(levels).filter(Number.isFinite).sort((a, b) => a - b);
  const out = new Float32Array(frames);
  if (finite.length === 0) return out;
  const loud = finite[Math.min(finite.length - 1, Math.floor(0.95 * (finite.length - 1)))]!;
  const floor = Math.max(ABSOLUTE_FLOOR_DB, loud - DYNAMIC_RANGE_DB);
  if (!(loud > floor)) return out;
  for (let f = 0; f < frames; f++) out[f] = Math.min(1, Math.max(0, (levels[f]! - floor) / (loud - floor)));
  return out;
}
