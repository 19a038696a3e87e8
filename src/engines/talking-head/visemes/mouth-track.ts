import type { MouthShape, MouthTrack, TimedViseme } from '../types.ts';
import { blendMouth } from './coarticulation.ts';

/** Frames a clip of `duration` seconds needs at `fps` (the last frame starts before the end). */
export function frameCount(duration: number, fps: number): number {
  return duration > 0 && fps > 0 ? Math.ceil(duration * fps - 1e-9) : 0;
}

/** Below this envelope level the mouth closes; above it opens fully at full loudness. */
const GATE_LOW = 0.05;
const GATE_HIGH = 0.35;

function smoothstep(low: number, high: number, x: number): number {
  const u = Math.min(1, Math.max(0, (x - low) / (high - low)));
  return u * u * (3 - 2 * u);
}

/**
 * One mouth shape per video frame (frame i at time i / fps) from timed visemes, blended by
 * co-articulation. With the audio's speech envelope (speechEnvelope, same fps) the opening is
 * gated and scaled frame by frame — silence closes the mouth, loud vowels open it more — at
 * the same instant, so the timing never shifts.
 */
export function mouthTrack(input: { visemes: readonly TimedViseme[]; duration: number; fps: number; envelope?: Float32Array }): MouthTrack {
  const { visemes, duration, fps, envelope } = input;
  const frames = frameCount(duration, fps);
  const times = Float64Array.from({ length: frames }, (_, i) => i / fps);
  let shapes: MouthShape[] = blendMouth(visemes, times);
  if (envelope !== undefined) {
    shapes = shapes.map((shape, i) => {
      const level = envelope[i] ?? 0;
      const scale = smoothstep(GATE_LOW, GATE_HIGH, level) * (0.75 + 0.35 * level);
      return { open: Math.min(1, shape.open * scale), width: shape.width, round: shape.round };
    });
  }
  return { fps, frames: shapes };
}
