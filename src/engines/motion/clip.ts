import type { ActionPlan } from './action-plan.ts';

/**
 * A motion clip on the standard skeleton (skeleton.ts): per frame, the root's world position
 * and every joint's local rotation relative to the rest pose. Plain typed arrays, so a clip
 * crosses to and from worker threads without copying.
 */
export interface MotionClip {
  readonly fps: number;
  readonly frameCount: number;
  /** frameCount × 3: the Hips joint's world position, metres. */
  readonly rootPositions: Float32Array;
  /** frameCount × 22 × 4: local rotations, unit quaternions [x, y, z, w]. */
  readonly rotations: Float32Array;
  /** frameCount × 2 (left, right): 1 where the synthesiser planted that foot. */
  readonly contacts: Uint8Array;
}

/** PhysDiff-style plausibility of a clip (docs cite the definitions). */
export interface MotionMetrics {
  /** Mean horizontal speed of a foot while in contact, cm/s. */
  footSkateCmPerS: number;
  /** Highest height of the lowest foot above the ground while the body is supported, cm. */
  floatCm: number;
  /** Deepest point any foot goes below the ground, cm. */
  penetrationCm: number;
  /** Mean magnitude of the third derivative of joint positions, m/s³. */
  jerk: number;
}

/** What the synthesiser returns: the clip, the plan it realised (defaults filled in, times resolved) and warnings. */
export interface SynthesizedMotion {
  clip: MotionClip;
  plan: ActionPlan;
  /** Per action: resolved start and duration in seconds. */
  timeline: Array<{ action: string; start: number; duration: number; layer: 'full' | 'upper' }>;
  warnings: string[];
}
