import type { ActionContext } from '../action-context.ts';
import { type BodyFrame, cloneFrame } from '../body-frame.ts';
import { rotX, rotZ } from '../math.ts';

/** Holds the posture the previous action left (standing, seated or kneeling) and breathes: a slow chest rise and a faint sway. */
export function idle(context: ActionContext): BodyFrame[] {
  const { start, frameCount, fps, variation } = context;
  const phase = context.random() * Math.PI * 2;
  return Array.from({ length: frameCount }, (_, f) => {
    const t = f / fps;
    const frame = cloneFrame(start);
    for (const foot of frame.feet) foot.planted = true;
    const breath = Math.sin((2 * Math.PI * t) / (4 * variation) + phase);
    frame.joints[6] = start.joints[6]!.clone().multiply(rotX(-0.015 * breath));
    frame.joints[3] = start.joints[3]!.clone().multiply(rotZ(0.008 * Math.sin((2 * Math.PI * t) / 7 + phase)));
    return frame;
  });
}
