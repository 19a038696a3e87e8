import { Quaternion } from 'three';
import type { HandTarget } from './arm-ik.ts';
import { ANKLE_HEIGHT_AT_REST, JOINT_COUNT, REST_OFFSETS } from '../skeleton.ts';

/**
 * What a generator says about one frame, before legs are solved: where the body is (root on
 * the ground plane, facing, wanted pelvis height), the local rotations of everything above the
 * legs, and a target for each foot. Legs are never keyframed: two-bone IK puts each ankle on
 * its target (foot-ik.ts), so a planted foot is exactly where it was planted.
 */
export interface FootTarget {
  /** Ankle joint, world metres. A flat foot on the ground has y = ANKLE_HEIGHT_AT_REST. */
  x: number;
  y: number;
  z: number;
  /** Foot heading (radians, like the body's yaw). */
  yaw: number;
  /** Foot pitch (radians, positive lowers the toes). */
  pitch: number;
  /** On the ground and bearing weight: its toe must not move. */
  planted: boolean;
}

export interface BodyFrame {
  /** Hips joint on the ground plane, world metres. */
  rootX: number;
  rootZ: number;
  /** Facing (radians; 0 faces +Z, positive turns left). */
  yaw: number;
  /** Wanted height of the Hips joint; lowered where a leg could not reach its foot. */
  pelvisY: number;
  /** Local rotations for all 22 joints; the hips' is applied after the yaw; the legs' are replaced by IK. */
  joints: Quaternion[];
  feet: [FootTarget, FootTarget];
  /** Where the wrists must reach, when a gesture has a target (arm-ik.ts). */
  hands?: [HandTarget | undefined, HandTarget | undefined];
}

export const STANDING_PELVIS_Y = REST_OFFSETS[0]![1];
/** Where a standing foot's ankle sits relative to the Hips joint, in the body's heading frame (x left, z forward). */
export const STANCE_OFFSET: Readonly<Record<'left' | 'right', readonly [number, number]>> = {
  left: [REST_OFFSETS[1]![0], REST_OFFSETS[7]![2]],
  right: [REST_OFFSETS[2]![0], REST_OFFSETS[8]![2]],
};
export const FLAT_ANKLE_Y = ANKLE_HEIGHT_AT_REST;

export function restJoints(): Quaternion[] {
  return Array.from({ length: JOINT_COUNT }, () => new Quaternion());
}

export function cloneFoot(foot: FootTarget, changes: Partial<FootTarget> = {}): FootTarget {
  return { ...foot, ...changes };
}

export function cloneFrame(frame: BodyFrame): BodyFrame {
  return { ...frame, joints: frame.joints.map((q) => q.clone()), feet: [{ ...frame.feet[0] }, { ...frame.feet[1] }] };
}

/** The state one action hands to the next: its last frame. */
export type BodyState = BodyFrame;
