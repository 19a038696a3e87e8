import type { MouthShape, MouthTrack } from '../types.ts';

/**
 * A mouth track for audio without any text: the opening follows the speech envelope
 * (lightly smoothed with a symmetric kernel, so it stays in time), width and rounding stay
 * near rest with a slow, deterministic drift while sound is present, so the mouth does not
 * look like a single hinge.
 */
export function mouthTrackFromEnvelope(envelope: Float32Array, fps: number): MouthTrack {
  const n = envelope.length;
  const frames: MouthShape[] = [];
  for (let i = 0; i < n; i++) {
    const level = 0.25 * (envelope[i - 1] ?? envelope[i]!) + 0.5 * envelope[i]! + 0.25 * (envelope[i + 1] ?? envelope[i]!);
    const t = fps > 0 ? i / fps : 0;
    frames.push({
      open: Math.min(1, Math.max(0, 0.9 * Math.pow(level, 0.8))),
      width: 0.12 * level * Math.sin(2 * Math.PI * 0.31 * t),
      round: 0.15 * level * (0.5 + 0.5 * Math.sin(2 * Math.PI * 0.17 * t + 1)),
    });
  }
  return { fps, frames };
}
