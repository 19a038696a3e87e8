import type { Quaternion } from 'three';
import type { ActionParams } from '../../action-plan.ts';
import type { UpperBodyGesture } from '../action-context.ts';
import { type Direction, mirror, mixDirection, poseArm, RELAXED_FORE, RELAXED_UPPER } from '../arms.ts';
import { easeInOut, phaseAt } from '../easing.ts';
import { rotX, rotY, yawPitchRoll } from '../math.ts';

/**
 * Upper-body gestures, keyframed on minimum-jerk curves. Arm directions are written for the
 * left arm in the chest's frame (x left, y up, z forward) and mirrored for the right.
 */
type Side = 'left' | 'right';
const sides = (params: ActionParams, fallback: Side): Side[] => (params.hand === 'both' ? ['left', 'right'] : [params.hand ?? fallback]);
const pose = (joints: Quaternion[], side: Side, upper: Direction, fore: Direction) =>
  poseArm(joints, side, side === 'left' ? upper : mirror(upper), side === 'left' ? fore : mirror(fore));

/** 0 → 1 over the first `rise` seconds, 1 → 0 over the last `fall`: how far into the gesture pose the arm is. */
function raise(time: number, duration: number, rise: number, fall = rise): number {
  if (time < rise) return easeInOut(time / rise);
  if (time > duration - fall) return easeInOut((duration - time) / fall);
  return 1;
}

const wave: UpperBodyGesture = (joints, time, duration, params, variation) => {
  const count = params.count ?? 3;
  const amount = raise(time, duration, 0.4);
  const swing = Math.sin((2 * Math.PI * count * Math.max(0, time - 0.4)) / Math.max(0.4, duration - 0.8)) * (0.35 + 0.25 * (params.intensity ?? 0.5)) * variation;
  for (const side of sides(params, 'right')) {
    // Upper arm out and up, forearm upright and rocking side to side: the hand well above the shoulder.
    const upper = mixDirection(RELAXED_UPPER, [0.85, 0.5, 0.2], amount);
    const fore = mixDirection(RELAXED_FORE, [0.2 + swing, 1, 0.1], amount);
    pose(joints, side, upper, fore);
  }
};

const clap: UpperBodyGesture = (joints, time, duration, params, variation) => {
  const count = params.count ?? 4;
  const amount = raise(time, duration, 0.35);
  const open = 0.5 + 0.5 * Math.cos((2 * Math.PI * count * Math.max(0, time - 0.35)) / Math.max(0.35, duration - 0.7));
  for (const side of ['left', 'right'] as const) {
    const upper = mixDirection(RELAXED_UPPER, [0.3, -0.45, 0.85], amount);
    const fore = mixDirection(RELAXED_FORE, [-0.75 + 0.55 * open * variation, 0.15, 0.75], amount);
    pose(joints, side, upper, fore);
  }
};

const point: UpperBodyGesture = (joints, time, duration, params) => {
  const d = params.direction;
  const hand: Side = params.hand === 'left' || params.hand === 'right' ? params.hand : d === 'left' ? 'left' : 'right';
  const amount = raise(time, duration, 0.45);
  // The pointing direction for the left arm (mirrored for the right): forward, or out to a side.
  const across: Direction = d === 'left' || d === 'right' ? [(d === 'left') === (hand === 'left') ? 1 : -0.4, 0.1, (d === 'left') === (hand === 'left') ? 0.2 : 0.9] : [0.15, 0.12, 1];
  pose(joints, hand, mixDirection(RELAXED_UPPER, across, amount), mixDirection(RELAXED_FORE, across, amount));
};

const nod: UpperBodyGesture = (joints, time, duration, params, variation) => {
  const count = params.count ?? 2;
  const amount = raise(time, duration, 0.25);
  const dip = 0.5 - 0.5 * Math.cos((2 * Math.PI * count * time) / duration);
  joints[12] = joints[12]!.clone().multiply(rotX(0.12 * dip * amount * variation));
  joints[15] = joints[15]!.clone().multiply(rotX(0.22 * dip * amount * variation));
};

const shakeHead: UpperBodyGesture = (joints, time, duration, params, variation) => {
  const count = params.count ?? 2;
  const amount = raise(time, duration, 0.25);
  const turn = Math.sin((2 * Math.PI * count * time) / duration) * amount * variation;
  joints[12] = joints[12]!.clone().multiply(rotY(0.25 * turn));
  joints[15] = joints[15]!.clone().multiply(rotY(0.3 * turn));
};

const lookAround: UpperBodyGesture = (joints, time, duration, _params, variation) => {
  const amount = raise(time, duration, 0.4);
  const turn = Math.sin((2 * Math.PI * time) / duration) * amount * variation;
  joints[9] = joints[9]!.clone().multiply(rotY(0.2 * turn));
  joints[12] = joints[12]!.clone().multiply(yawPitchRoll(0.4 * turn, -0.05 * amount));
  joints[15] = joints[15]!.clone().multiply(rotY(0.35 * turn));
};

const GUARD_UPPER: Direction = [0.35, -0.6, 0.55];
const GUARD_FORE: Direction = [-0.25, 0.75, 0.6];
const punch: UpperBodyGesture = (joints, time, duration, params, variation) => {
  const count = params.count ?? 1;
  const amount = raise(time, duration, 0.25);
  const hands = params.hand === 'both' ? (['right', 'left'] as const) : ([params.hand ?? 'right'] as const);
  const each = (duration - 0.5) / count;
  const k = Math.min(count - 1, Math.max(0, Math.floor((time - 0.25) / each)));
  const local = time - 0.25 - k * each;
  const striking = hands[k % hands.length]!;
  const extend = local < 0 ? 0 : local < each * 0.3 ? easeInOut(local / (each * 0.3)) : easeInOut(1 - (local - each * 0.3) / (each * 0.7));
  for (const side of ['left', 'right'] as const) {
    const hit = side === striking ? extend * variation : 0;
    const upper = mixDirection(mixDirection(RELAXED_UPPER, GUARD_UPPER, amount), [0.05, 0.08, 1], hit);
    const fore = mixDirection(mixDirection(RELAXED_FORE, GUARD_FORE, amount), [0.0, 0.05, 1], hit);
    pose(joints, side, upper, fore);
  }
  joints[6] = joints[6]!.clone().multiply(rotY((striking === 'right' ? 0.25 : -0.25) * extend));
};

const throwBall: UpperBodyGesture = (joints, time, duration, params) => {
  const side: Side = params.hand === 'left' ? 'left' : 'right';
  const sign = side === 'right' ? 1 : -1;
  const keys: Array<[Direction, Direction, number]> = [
    [RELAXED_UPPER, RELAXED_FORE, 0],
    [[0.7, 0.55, -0.45], [0.1, 1, -0.35], -0.45],
    [[0.2, 0.45, 1], [0.05, 0.1, 1], 0.35],
    [RELAXED_UPPER, RELAXED_FORE, 0],
  ];
  const { index, t } = phaseAt(time, [0, duration * 0.45, duration * 0.6, duration]);
  const a = keys[index]!;
  const b = keys[index + 1]!;
  const e = easeInOut(t);
  pose(joints, side, mixDirection(a[0], b[0], e), mixDirection(a[1], b[1], e));
  joints[6] = joints[6]!.clone().multiply(rotY(sign * (a[2] + (b[2] - a[2]) * e)));
};

export const GESTURES = { wave, clap, point, nod, shake_head: shakeHead, look_around: lookAround, punch, throw: throwBall } as const;
