import { Quaternion, Vector3 } from 'three';
import { REST_OFFSETS } from '../skeleton.ts';
import { solveTwoBone, type TwoBoneChain } from './two-bone-ik.ts';

/**
 * Two-bone IK for an arm whose hand must reach a point (picking something up): run after the
 * legs are solved, on the frame's final trunk, so the target holds wherever the pelvis ended up.
 */
export interface HandTarget {
  x: number;
  y: number;
  z: number;
  /** 0..1: how much of the keyframed arm pose gives way to the IK solution. */
  weight: number;
}

const v = (i: number) => new Vector3(...REST_OFFSETS[i]!);
// The elbow points backward (and the forearm flexes forward) from the T-pose.
const CHAINS = [
  { chain: { upperRest: v(18), lowerRest: v(20), restPole: new Vector3(0, 0, -1) } as TwoBoneChain, collar: 13, upper: 16, fore: 18, hand: 20 },
  { chain: { upperRest: v(19), lowerRest: v(21), restPole: new Vector3(0, 0, -1) } as TwoBoneChain, collar: 14, upper: 17, fore: 19, hand: 21 },
] as const;

/**
 * Rewrites one arm's local rotations (upper arm, forearm, hand) so its wrist reaches `target`,
 * blended with the current pose by the target's weight. `positions`/`rotations` are the frame's
 * world joint positions and rotations (forward kinematics of the current pose).
 */
export function reachWithArm(side: 0 | 1, target: HandTarget, positions: readonly Vector3[], rotations: readonly Quaternion[], local: Quaternion[], facing: Vector3): void {
  const arm = CHAINS[side];
  const shoulder = positions[arm.upper]!;
  // Elbows point back and a little out and down.
  const pole = facing.clone().multiplyScalar(-1).add(new Vector3(0, -0.3, 0));
  const solution = solveTwoBone(arm.chain, shoulder, new Vector3(target.x, target.y, target.z), pole);
  const collarWorld = rotations[arm.collar]!;
  const upperLocal = collarWorld.clone().invert().multiply(solution.upperWorld);
  const foreLocal = solution.upperWorld.clone().invert().multiply(solution.lowerWorld);
  local[arm.upper]!.slerp(upperLocal, target.weight);
  local[arm.fore]!.slerp(foreLocal, target.weight);
  local[arm.hand]!.slerp(new Quaternion(), target.weight);
}
