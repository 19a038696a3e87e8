import { Quaternion, Vector3 } from 'three';

/**
 * Arms are posed by direction: where the upper arm and the forearm point in the chest's frame
 * (x: the character's left, y: up, z: forward). The rotations are the shortest swings from the
 * T-pose, which is how a hand-keyed arm is built.
 */
export type Direction = readonly [number, number, number];

const ARM_JOINTS = { left: { collar: 13, upper: 16, fore: 18, hand: 20 }, right: { collar: 14, upper: 17, fore: 19, hand: 21 } } as const;
const REST_DIRECTION = { left: new Vector3(1, 0, 0), right: new Vector3(-1, 0, 0) } as const;

const upperDirection = new Vector3();
const foreDirection = new Vector3();
const foreWorld = new Quaternion();

export function poseArm(joints: Quaternion[], side: 'left' | 'right', upper: Direction, fore: Direction): void {
  const ids = ARM_JOINTS[side];
  const rest = REST_DIRECTION[side];
  const upperRotation = joints[ids.upper]!.setFromUnitVectors(rest, upperDirection.set(upper[0], upper[1], upper[2]).normalize());
  foreWorld.setFromUnitVectors(rest, foreDirection.set(fore[0], fore[1], fore[2]).normalize());
  joints[ids.collar]!.identity();
  joints[ids.fore]!.copy(upperRotation).invert().multiply(foreWorld);
  joints[ids.hand]!.identity();
}

/** Mirrors a left-side direction to the right side. */
export const mirror = (d: Direction): Direction => [-d[0], d[1], d[2]];

/** Arms hanging relaxed, elbows slightly bent (the standing pose). */
export const RELAXED_UPPER: Direction = [0.2, -1, 0.02];
export const RELAXED_FORE: Direction = [0.14, -1, 0.3];

export function relaxedArms(joints: Quaternion[]): void {
  poseArm(joints, 'left', RELAXED_UPPER, RELAXED_FORE);
  poseArm(joints, 'right', mirror(RELAXED_UPPER), mirror(RELAXED_FORE));
}

/** Mixes two directions (for gestures that travel between poses). */
export function mixDirection(a: Direction, b: Direction, t: number): Direction {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
