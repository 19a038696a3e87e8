import type { ActionContext } from '../action-context.ts';
import { relaxedArms } from '../arms.ts';
import { type BodyFrame, cloneFrame, STANDING_PELVIS_Y } from '../body-frame.ts';

/**
 * Frames of an in-place action: the feet stay planted where the previous action left them,
 * the body starts upright and relaxed over them, and `pose` shapes each frame (`t` seconds in,
 * `u` = t / duration).
 */
export function inPlace(context: ActionContext, pose: (frame: BodyFrame, t: number, u: number) => void): BodyFrame[] {
  const { start, frameCount, fps } = context;
  const duration = Math.max(1e-6, (frameCount - 1) / fps);
  return Array.from({ length: frameCount }, (_, f) => {
    const frame = cloneFrame(start);
    for (const foot of frame.feet) foot.planted = true;
    frame.pelvisY = STANDING_PELVIS_Y;
    for (const q of frame.joints) q.identity();
    relaxedArms(frame.joints);
    pose(frame, f / fps, (f / fps) / duration);
    return frame;
  });
}
