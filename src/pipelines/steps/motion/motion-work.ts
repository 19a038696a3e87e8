import type { ActionPlanInput } from '../../../engines/motion/action-plan.ts';
import type { MotionClip, MotionMetrics, SynthesizedMotion } from '../../../engines/motion/clip.ts';
import { motionMetrics } from '../../../engines/motion/metrics.ts';
import { jointPositions, synthesizeMotion } from '../../../engines/motion/synth/index.ts';

/**
 * The CPU-heavy part of motion.generate, as task functions the worker pool runs off the event
 * loop (src/workers/off-thread.ts): synthesis, forward kinematics and the plausibility metrics.
 */

export function measureClip(clip: MotionClip): MotionMetrics {
  return motionMetrics(jointPositions(clip), clip.frameCount, clip.fps, clip.contacts);
}

export function synthesizeAndMeasure(plan: ActionPlanInput, options: { fps: number; seed: number }): { motion: SynthesizedMotion; metrics: MotionMetrics } {
  const motion = synthesizeMotion(plan, options);
  return { motion, metrics: measureClip(motion.clip) };
}
