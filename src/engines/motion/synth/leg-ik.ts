import { Quaternion, Vector3 } from 'three';
import { REST_OFFSETS } from '../skeleton.ts';
import type { FootTarget } from './body-frame.ts';
import { headingVector, rotX, rotY } from './math.ts';
import { solveTwoBone, type TwoBoneChain } from './two-bone-ik.ts';

const v = (i: number) => new Vector3(...REST_OFFSETS[i]!);
const LEG_CHAIN: TwoBoneChain = { upperRest: v(4), lowerRest: v(7), restPole: new Vector3(0, 0, 1) };
/** Hip joint, knee, ankle, toe for each side. */
const LEGS = [
  { hip: 1, knee: 4, ankle: 7, toe: 10 },
  { hip: 2, knee: 5, ankle: 8, toe: 11 },
] as const;

export const LEG_REACH = LEG_CHAIN.upperRest.length() + LEG_CHAIN.lowerRest.length();

/** The foot's world rotation: its heading, then its pitch. */
export function footRotation(foot: FootTarget): Quaternion {
  return rotY(foot.yaw).multiply(rotX(foot.pitch));
}

/** Hip joint world position for a pelvis pose. */
export function hipPosition(side: 0 | 1, root: Vector3, rootRotation: Quaternion): Vector3 {
  return v(LEGS[side].hip).applyQuaternion(rootRotation).add(root);
}

/**
 * Writes the local rotations of both legs so each ankle lands on its target with the foot at
 * its target heading and pitch; the knee points along the foot's heading. Returns the largest
 * distance a planted foot's target was out of reach (0 when reached).
 */
export function solveLegs(root: Vector3, rootRotation: Quaternion, feet: readonly [FootTarget, FootTarget], local: Quaternion[]): number {
  let shortfall = 0;
  const inverseRoot = rootRotation.clone().invert();
  for (const side of [0, 1] as const) {
    const leg = LEGS[side];
    const foot = feet[side];
    const hip = hipPosition(side, root, rootRotation);
    const pole = headingVector(foot.yaw).add(new Vector3(0, 0.05, 0));
    const solution = solveTwoBone(LEG_CHAIN, hip, new Vector3(foot.x, foot.y, foot.z), pole);
    if (foot.planted) shortfall = Math.max(shortfall, solution.shortfall);
    local[leg.hip]!.copy(inverseRoot).multiply(solution.upperWorld);
    local[leg.knee]!.copy(solution.upperWorld).invert().multiply(solution.lowerWorld);
    local[leg.ankle]!.copy(solution.lowerWorld).invert().multiply(footRotation(foot));
    local[leg.toe]!.identity();
  }
  return shortfall;
}

/**
 * The highest the Hips joint may be, at this horizontal pose, for every planted ankle to stay
 * within reach (a small margin short of a locked knee). A swinging foot does not pull the body
 * down: if it cannot reach its target it simply stays a little short of it, in the air.
 */
export function highestReachablePelvis(root: Vector3, rootRotation: Quaternion, feet: readonly [FootTarget, FootTarget]): number {
  const reach = LEG_REACH * 0.995;
  let highest = Infinity;
  for (const side of [0, 1] as const) {
    const foot = feet[side];
    if (!foot.planted) continue;
    const hip = hipPosition(side, root, rootRotation);
    const horizontal = Math.hypot(hip.x - foot.x, hip.z - foot.z);
    const vertical = horizontal < reach ? Math.sqrt(reach * reach - horizontal * horizontal) : 0;
    highest = Math.min(highest, root.y + (foot.y + vertical - hip.y));
  }
  return highest;
}
