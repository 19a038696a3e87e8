import type { ActionPlanInput } from '../action-plan.ts';
import type { SynthesizedMotion } from '../clip.ts';
import { ShenbiError } from '../../../core/errors.ts';
import { synthesize } from './compose.ts';

export { jointPositions } from './forward-kinematics.ts';

export interface SynthesisOptions {
  /** Frames per second (default 30). */
  fps?: number;
  /** Seed for the small variation between takes: same seed, same motion. */
  seed: number;
}

/**
 * Turns an action plan into motion on the standard skeleton: a timeline of per-action
 * generators (footstep-planned gaits, keyframed gestures layered over the legs), blended,
 * with legs solved by IK onto planted feet and the pelvis kept low enough to reach them.
 * Pure and deterministic; throws ShenbiError INVALID_INPUT for plans a person could not perform.
 */
export function synthesizeMotion(plan: ActionPlanInput, options: SynthesisOptions): SynthesizedMotion {
  const fps = options.fps ?? 30;
  if (!Number.isFinite(fps) || fps < 1 || fps > 240) throw new ShenbiError('INVALID_INPUT', `fps must be between 1 and 240 (got ${fps})`, { details: { fps } });
  if (!Number.isFinite(options.seed)) throw new ShenbiError('INVALID_INPUT', 'seed must be a finite number', { details: { seed: options.seed } });
  return synthesize(plan, fps, options.seed);
}
