import { Quaternion } from 'three';
import { JOINT_NAMES } from '../skeleton.ts';
import { DEG, rotationAngle } from './math.ts';

/**
 * How far each joint may rotate from the rest pose, degrees — generous human ranges (spine
 * segments share the trunk's ~90° of flexion; a knee bends ~150°; shoulders are free because
 * the T-pose rest is far from every natural arm pose). A rotation beyond its limit is scaled
 * back onto it and reported once per joint.
 */
const LIMITS_DEG: Readonly<Record<number, number>> = {
  0: 180, 1: 130, 2: 130, 3: 50, 4: 155, 5: 155, 6: 45, 7: 75, 8: 75, 9: 40, 10: 60, 11: 60,
  12: 50, 13: 30, 14: 30, 15: 60, 16: 180, 17: 180, 18: 160, 19: 160, 20: 80, 21: 80,
};

const IDENTITY = new Quaternion();

/** Clamps a joint's local rotation to its limit; returns true when it had to. */
export function clampJoint(joint: number, rotation: Quaternion): boolean {
  const limit = (LIMITS_DEG[joint] ?? 180) * DEG;
  const angle = rotationAngle(rotation);
  if (angle <= limit + 1e-4) return false;
  rotation.copy(IDENTITY.clone().slerp(rotation, limit / angle));
  return true;
}

export function limitWarning(joint: number, frames: number, clamped: boolean): string {
  return clamped
    ? `joint limit: ${JOINT_NAMES[joint]} was clamped to ${LIMITS_DEG[joint]}° on ${frames} frame(s)`
    : `joint limit: ${JOINT_NAMES[joint]} went past ${LIMITS_DEG[joint]}° on ${frames} frame(s) (left as is: the foot's placement decides it)`;
}
