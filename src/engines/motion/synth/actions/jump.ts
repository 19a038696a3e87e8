import type { ActionParams } from '../../action-plan.ts';
import { ShenbiError } from '../../../../core/errors.ts';
import type { ActionContext } from '../action-context.ts';
import { mixDirection, mirror, poseArm, RELAXED_FORE, RELAXED_UPPER, type Direction } from '../arms.ts';
import { type BodyFrame, cloneFrame, FLAT_ANKLE_Y, STANDING_PELVIS_Y } from '../body-frame.ts';
import { bump, easeInOut, phaseAt } from '../easing.ts';
import { rotX } from '../math.ts';

const GRAVITY = 9.81;
/** Highest standing vertical jump we accept (the record is near 1.1 m of centre-of-mass rise). */
export const MAX_JUMP_HEIGHT = 1;
/** Longest standing jump we accept (the standing long-jump record is 3.7 m). */
export const MAX_JUMP_DISTANCE = 3.5;

export function jumpPlan(params: ActionParams) {
  const height = params.height ?? 0.2 + 0.25 * (params.intensity ?? 0.4);
  const distance = (params.distance ?? 0) * (params.direction === 'backward' ? -1 : 1);
  if (height > MAX_JUMP_HEIGHT) throw new ShenbiError('INVALID_INPUT', `a ${height} m jump is higher than a person can jump from standing (at most ${MAX_JUMP_HEIGHT} m)`, { details: { action: 'jump', height } });
  if (Math.abs(distance) > MAX_JUMP_DISTANCE) throw new ShenbiError('INVALID_INPUT', `a ${Math.abs(distance)} m standing jump is longer than a person can jump (at most ${MAX_JUMP_DISTANCE} m)`, { details: { action: 'jump', distance } });
  const rise = Math.max(0.05, height);
  const flight = 2 * Math.sqrt((2 * rise) / GRAVITY);
  // crouch, push off, flight, absorb the landing, recover
  const phases = [0, 0.45, 0.6, 0.6 + flight, 0.9 + flight, 1.35 + flight];
  return { height: rise, distance, flight, phases, duration: phases[phases.length - 1]! };
}

const ARMS_BACK: Direction = [0.2, -0.75, -0.65];
const ARMS_UP: Direction = [0.25, 0.6, 0.75];

/**
 * A standing jump: crouch, push off, a ballistic flight with both feet off the ground (the
 * pelvis on a parabola, the knees tucked), land on both feet and absorb. Feet are planted
 * before take-off and after landing; the horizontal travel happens only in the air.
 */
export function jump(context: ActionContext): BodyFrame[] {
  const { start, frameCount, fps, action, variation } = context;
  const plan = jumpPlan(action.params);
  const repetitions = action.params.count ?? 1;
  const each = (frameCount - 1) / fps / repetitions;
  const scale = each / plan.duration;
  const crouch = (0.14 + 0.12 * plan.height) * variation;
  const heading = [Math.sin(start.yaw), Math.cos(start.yaw)] as const;
  return Array.from({ length: frameCount }, (_, f) => {
    const t = f / fps;
    const k = Math.min(repetitions - 1, Math.floor(t / each));
    const { index, t: u } = phaseAt((t - k * each) / scale, plan.phases);
    const travelled = k * plan.distance + plan.distance * (index < 2 ? 0 : index === 2 ? u : 1);
    const frame = cloneFrame(start);
    frame.rootX = start.rootX + heading[0] * travelled;
    frame.rootZ = start.rootZ + heading[1] * travelled;
    let lean = 0;
    let pelvis = STANDING_PELVIS_Y;
    let arms: [Direction, Direction] = [RELAXED_UPPER, RELAXED_FORE];
    let lift = 0;
    if (index === 0) {
      const e = easeInOut(u);
      pelvis -= crouch * e;
      lean = 0.45 * e;
      arms = [mixDirection(RELAXED_UPPER, ARMS_BACK, e), mixDirection(RELAXED_FORE, ARMS_BACK, e)];
    } else if (index === 1) {
      const e = u * u;
      pelvis -= crouch * (1 - e);
      lean = 0.45 * (1 - e);
      arms = [mixDirection(ARMS_BACK, ARMS_UP, easeInOut(u)), mixDirection(ARMS_BACK, ARMS_UP, easeInOut(u))];
    } else if (index === 2) {
      lift = 4 * plan.height * u * (1 - u);
      pelvis += lift;
      lean = 0.1 * bump(u);
      arms = [ARMS_UP, ARMS_UP];
    } else if (index === 3) {
      const e = Math.sin((Math.PI / 2) * u);
      pelvis -= crouch * 0.8 * e;
      lean = 0.35 * e;
      arms = [mixDirection(ARMS_UP, RELAXED_UPPER, e), mixDirection(ARMS_UP, RELAXED_FORE, e)];
    } else {
      const e = easeInOut(u);
      pelvis -= crouch * 0.8 * (1 - e);
      lean = 0.35 * (1 - e);
    }
    frame.pelvisY = pelvis;
    for (const q of frame.joints) q.identity();
    frame.joints[0] = rotX(lean * 0.6);
    frame.joints[3] = rotX(lean * 0.25);
    frame.joints[12] = rotX(-lean * 0.5);
    poseArm(frame.joints, 'left', arms[0], arms[1]);
    poseArm(frame.joints, 'right', mirror(arms[0]), mirror(arms[1]));
    for (const side of [0, 1] as const) {
      const foot = frame.feet[side];
      foot.x = start.feet[side].x + heading[0] * travelled;
      foot.z = start.feet[side].z + heading[1] * travelled;
      foot.pitch = 0;
      foot.y = FLAT_ANKLE_Y + (index === 2 ? lift + (0.08 + 0.12 * plan.height) * bump(u) : 0);
      foot.planted = index !== 2 || u === 0 || u === 1;
    }
    return frame;
  });
}
