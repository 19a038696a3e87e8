import type { ActionContext } from '../action-context.ts';
import { type Direction, mirror, mixDirection, poseArm, RELAXED_FORE, RELAXED_UPPER } from '../arms.ts';
import { type BodyFrame, FLAT_ANKLE_Y, STANDING_PELVIS_Y } from '../body-frame.ts';
import { bump, easeInOut, phaseAt } from '../easing.ts';
import { type Footstep, standingFoot, steppingFrames } from '../footsteps.ts';
import { inPlace } from './hold.ts';
import { clamp, rotateXZ, rotX, rotY, rotZ } from '../math.ts';

/** Kicks, stretching, a dance step and a tai chi form: keyframed on minimum-jerk curves. */
const GUARD_UPPER: Direction = [0.35, -0.55, 0.5];
const GUARD_FORE: Direction = [-0.2, 0.7, 0.6];

function setArms(frame: BodyFrame, left: [Direction, Direction], right: [Direction, Direction] = left): void {
  poseArm(frame.joints, 'left', left[0], left[1]);
  poseArm(frame.joints, 'right', mirror(right[0]), mirror(right[1]));
}

/** A front kick: chamber the knee, snap the foot out to about hip height, retract, put it back where it was. */
export function kick(context: ActionContext): BodyFrame[] {
  const { start, action, variation } = context;
  const side: 0 | 1 = action.params.hand === 'left' ? 0 : 1;
  const count = action.params.count ?? 1;
  const height = (0.35 + 0.3 * (action.params.intensity ?? 0.5)) * variation;
  const home = start.feet[side];
  return inPlace(context, (frame, _t, u) => {
    const k = Math.min(count - 1, Math.floor(u * count));
    const local = u * count - k;
    const guard = clamp(Math.min(u * count * 4, (1 - u) * count * 4), 0, 1);
    // weight shift, chamber, extend, retract, step down (fractions of one kick)
    const { index, t } = phaseAt(local, [0, 0.1, 0.4, 0.6, 0.8, 1]);
    const keys: Array<[number, number, number]> = [
      [0, 0, 0],
      [0, 0, 0],
      [0.18, height * 0.7, 0.5],
      [0.55, height, 0.85],
      [0.15, height * 0.6, 0.4],
      [0, 0, 0],
    ];
    const a = keys[index]!;
    const b = keys[index + 1]!;
    const e = easeInOut(t);
    const forward = a[0] + (b[0] - a[0]) * e;
    const up = a[1] + (b[1] - a[1]) * e;
    const pitch = a[2] + (b[2] - a[2]) * e;
    const [dx, dz] = rotateXZ(0, forward, home.yaw);
    const lifted = index >= 1 && index <= 4;
    frame.feet[side] = { ...home, x: home.x + dx, y: FLAT_ANKLE_Y + up, z: home.z + dz, pitch, planted: !lifted };
    // Weight over the standing foot, trunk back a little against the kick.
    const support = start.feet[1 - side]!;
    const shift = Math.min(1, guard * 1.5) * 0.6;
    frame.rootX = start.rootX + (support.x - (start.feet[0].x + start.feet[1].x) / 2) * shift;
    frame.rootZ = start.rootZ + (support.z - (start.feet[0].z + start.feet[1].z) / 2) * shift;
    frame.pelvisY = STANDING_PELVIS_Y - 0.03 * guard;
    frame.joints[0] = rotX(-0.12 * up / Math.max(0.01, height));
    frame.joints[3] = rotX(0.05 * guard);
    setArms(frame, [mixDirection(RELAXED_UPPER, GUARD_UPPER, guard), mixDirection(RELAXED_FORE, GUARD_FORE, guard)]);
  });
}

const OVERHEAD: Direction = [0.12, 1, 0.05];
export function stretch(context: ActionContext): BodyFrame[] {
  return inPlace(context, (frame, _t, u) => {
    const up = u < 0.25 ? easeInOut(u / 0.25) : u < 0.8 ? 1 : easeInOut((1 - u) / 0.2);
    const side = Math.sin(clamp((u - 0.3) / 0.45, 0, 1) * Math.PI * 2) * up;
    frame.joints[3] = rotZ(-0.12 * side).multiply(rotX(-0.08 * up));
    frame.joints[6] = rotZ(-0.1 * side).multiply(rotX(-0.06 * up));
    frame.joints[12] = rotX(-0.15 * up);
    setArms(frame, [mixDirection(RELAXED_UPPER, OVERHEAD, up), mixDirection(RELAXED_FORE, OVERHEAD, up)]);
  });
}

/** Side steps in rhythm: out, together, out the other way, together; hips sway over the weighted foot. */
export function danceStep(context: ActionContext): BodyFrame[] {
  const { start, action, frameCount, fps, variation } = context;
  const count = action.params.count ?? 2;
  const width = 0.3 * variation;
  const beat = ((frameCount - 1) / fps - 0.4) / (count * 4);
  const steps: Footstep[] = [];
  let root = { x: start.rootX, z: start.rootZ };
  let time = 0.2;
  for (let k = 0; k < count; k++) {
    for (const [side, shift, joiner] of [[1, -1, 0], [0, -1, 1], [0, 1, 0], [1, 1, 1]] as const) {
      // Lead foot steps out by `width`; the joiner brings the other foot beside it.
      if (joiner === 0) {
        const [dx, dz] = rotateXZ(shift * width, 0, start.yaw);
        root = { x: root.x + dx, z: root.z + dz };
      }
      const at = standingFoot(side, root.x, root.z, start.yaw);
      steps.push({ side, lift: time, land: time + beat * 0.75, x: at.x, z: at.z, yaw: start.yaw, clearance: 0.05 });
      time += beat;
    }
  }
  return steppingFrames(start, steps, frameCount, fps, beat * 0.45, (frame, t) => {
    const groove = Math.sin((2 * Math.PI * t) / (beat * 2));
    frame.pelvisY = STANDING_PELVIS_Y - 0.04 - 0.02 * Math.abs(groove);
    for (const q of frame.joints) q.identity();
    frame.joints[0] = rotZ(0.06 * groove);
    frame.joints[3] = rotZ(-0.05 * groove);
    frame.joints[15] = rotX(0.05 * Math.abs(groove));
    const swing = 0.5 * groove;
    setArms(frame, [[0.45, -0.6, 0.35 + swing], [0.1, 0.5, 1]], [[0.45, -0.6, 0.35 - swing], [0.1, 0.5, 1]]);
  });
}

/**
 * The opening of a Yang-style tai chi form (起势, commencement): step out to shoulder width,
 * float the arms up to shoulder height, sink the knees while pressing the palms down, rise, and
 * close the stance — slow and continuous.
 */
export function taiChi(context: ActionContext): BodyFrame[] {
  const { start, frameCount, fps } = context;
  const duration = (frameCount - 1) / fps;
  const s = duration / 9;
  const wide = standingFoot(0, start.rootX, start.rootZ, start.yaw);
  const [ox, oz] = rotateXZ(0.14, 0, start.yaw);
  const home = start.feet[0];
  const steps: Footstep[] = [
    { side: 0, lift: 0.3 * s, land: 1.2 * s, x: wide.x + ox, z: wide.z + oz, yaw: start.yaw, clearance: 0.05 },
    { side: 0, lift: 7.7 * s, land: 8.6 * s, x: home.x, z: home.z, yaw: home.yaw, clearance: 0.05 },
  ];
  return steppingFrames(start, steps, frameCount, fps, 0.3, (frame, t) => {
    const { index, t: u } = phaseAt(t / s, [0, 1.3, 3.5, 5.5, 7.4, 9]);
    const e = easeInOut(u);
    // Arm height 0 (hanging) → 1 (shoulder height, forward); sink 0 → 1 (knees bent).
    const lift = [0, e, 1 - e * 0.85, 0.15 * (1 - e), 0][index]!;
    const sink = [0, 0, e, 1 - e, 0][index]!;
    frame.pelvisY = STANDING_PELVIS_Y - 0.1 * sink;
    for (const q of frame.joints) q.identity();
    frame.joints[0] = rotX(0.05 * sink);
    frame.joints[15] = rotY(0.05 * bump(t / duration));
    const upper: Direction = [0.25, -Math.cos(lift * 1.45), Math.sin(lift * 1.45)];
    const fore: Direction = [0.15, -Math.cos(lift * 1.45) + 0.25, Math.sin(lift * 1.45) + 0.3];
    setArms(frame, [upper, fore]);
  });
}

