import { z } from 'zod';
import { JOINT_COUNT } from '../motion/skeleton.ts';

/**
 * The minimal text-to-motion protocol (docs/motion-protocol.md) that any self-hosted model
 * (MDM, MoMask, MotionGPT behind a small HTTP shim) can speak:
 *   POST {baseURL}/v1/motion {model, prompt, fps, seed?, duration?} → 202 {id} | 200 {status: 'succeeded', result}
 *   GET  {baseURL}/v1/motion/{id} → {status, error?, result?}
 * A result carries HumanML3D joint positions inline or names a .npy/JSON file to download.
 */

export const MOTION_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

export interface MotionSubmitBody {
  model: string;
  prompt: string;
  fps: number;
  seed?: number;
  duration?: number;
}

/** Inline HumanML3D joints: frames × 22 × [x, y, z], metres, +Y up. */
export const inlineJointsResultSchema = z.object({
  format: z.literal('humanml3d'),
  fps: z.number().min(1).max(120),
  joints: z.array(z.array(z.tuple([z.number(), z.number(), z.number()])).length(JOINT_COUNT)).min(1),
});

/** A file (.npy or JSON, frames × 22 × 3) to download; HumanML3D's 20 fps unless `fps` says otherwise. */
export const fileResultSchema = z.object({
  url: z.string().min(1).max(4096),
  fps: z.number().min(1).max(120).optional(),
});

export const motionJobSchema = z.object({
  id: z.string().min(1).max(200).optional(),
  status: z.enum(MOTION_JOB_STATUSES),
  error: z.string().optional(),
  // Checked separately so a malformed result reads as a bad motion, not a bad status answer.
  result: z.unknown().optional(),
});
export type MotionJob = z.infer<typeof motionJobSchema>;

/** The submit answer: a job id to poll (202), or the finished job itself (200). */
export const submitAnswerSchema = z.union([motionJobSchema, z.object({ id: z.string().min(1).max(200) })]);
