import type { MotionMetrics } from './clip.ts';
import { ANKLE_HEIGHT_AT_REST, FOOT_JOINTS, JOINT_COUNT, TOE_HEIGHT_AT_REST } from './skeleton.ts';

/**
 * Physical plausibility of a motion, after PhysDiff (Yuan et al., "PhysDiff: Physics-Guided
 * Human Motion Diffusion Model", ICCV 2023, §5 metrics; reference code: UHC's smpl_eval.py),
 * which evaluates on HumanML3D's y-up, ground-at-0 convention:
 * - Penetrate: "the distance between the ground and the lowest body mesh vertex below the ground".
 * - Float: "the distance between the ground and the lowest body mesh vertex above the ground"
 *   (UHC counts it only beyond a 5 mm tolerance).
 * - Skate: "foot joints that contact the ground in two adjacent frames", their average horizontal
 *   displacement between the frames.
 * We have joints, not a mesh, so the sole is reconstructed from the foot joints' rest heights
 * (skeleton.ts: the ankle is 7 cm and the toe joint 2 cm above the sole): a foot's height above
 * the ground is min(ankle.y − 0.07, toe.y − 0.02). Units follow clip.ts: cm, cm/s, m/s³.
 * - Contact (when the caller gives no contact labels): the toe joint (SMPL's foot joint, as
 *   PhysDiff uses) within CONTACT_HEIGHT of the ground in both adjacent frames — height only, as
 *   PhysDiff does: a speed gate, as in HumanML3D's contact labels, would hide the very sliding
 *   this measures. With labels (the synthesiser's planted feet) those are used instead.
 * - Skate is then the mean horizontal speed of the toe joints over contact frame pairs, cm/s
 *   (PhysDiff's per-frame displacement × fps, so it does not depend on the frame rate).
 * - Float is the highest height of the lowest foot over supported frames (a frame with a foot
 *   in contact, or without labels one whose lowest foot is within FLOAT_SEARCH of the ground:
 *   higher than that is taken as a jump's flight, not floating). Below FLOAT_TOLERANCE counts 0.
 * - Penetration is the deepest any foot goes below the ground, over all frames.
 * - Jerk is the mean magnitude of the third finite difference of all joint positions, m/s³.
 */
export const CONTACT_HEIGHT = 0.01;
export const FLOAT_TOLERANCE = 0.005;
export const FLOAT_SEARCH = 0.1;

export function motionMetrics(positions: Float32Array, frameCount: number, fps: number, contacts?: Uint8Array): MotionMetrics {
  const at = (f: number, j: number, axis: number) => positions[(f * JOINT_COUNT + j) * 3 + axis]!;
  const feet = [FOOT_JOINTS.left, FOOT_JOINTS.right];
  const footHeight = (f: number, side: number) => Math.min(at(f, feet[side]!.ankle, 1) - ANKLE_HEIGHT_AT_REST, at(f, feet[side]!.toe, 1) - TOE_HEIGHT_AT_REST);
  const toeHeight = (f: number, side: number) => at(f, feet[side]!.toe, 1) - TOE_HEIGHT_AT_REST;
  const inContact = (f: number, side: number) => (contacts !== undefined ? contacts[f * 2 + side] === 1 : toeHeight(f, side) <= CONTACT_HEIGHT);

  let skateSum = 0;
  let skatePairs = 0;
  for (let f = 0; f + 1 < frameCount; f++) {
    for (const side of [0, 1]) {
      if (!inContact(f, side) || !inContact(f + 1, side)) continue;
      const toe = feet[side]!.toe;
      skateSum += Math.hypot(at(f + 1, toe, 0) - at(f, toe, 0), at(f + 1, toe, 2) - at(f, toe, 2)) * fps;
      skatePairs++;
    }
  }

  let floatMax = 0;
  let penetration = 0;
  for (let f = 0; f < frameCount; f++) {
    const lowest = Math.min(footHeight(f, 0), footHeight(f, 1));
    penetration = Math.max(penetration, -lowest);
    const supported = contacts !== undefined ? contacts[f * 2] === 1 || contacts[f * 2 + 1] === 1 : lowest <= FLOAT_SEARCH;
    if (supported && lowest > FLOAT_TOLERANCE) floatMax = Math.max(floatMax, lowest);
  }

  let jerkSum = 0;
  let jerkCount = 0;
  const fps3 = fps * fps * fps;
  for (let f = 0; f + 3 < frameCount; f++) {
    for (let j = 0; j < JOINT_COUNT; j++) {
      let squared = 0;
      for (let axis = 0; axis < 3; axis++) {
        const d = at(f + 3, j, axis) - 3 * at(f + 2, j, axis) + 3 * at(f + 1, j, axis) - at(f, j, axis);
        squared += d * d;
      }
      jerkSum += Math.sqrt(squared) * fps3;
      jerkCount++;
    }
  }

  return {
    footSkateCmPerS: skatePairs === 0 ? 0 : (skateSum / skatePairs) * 100,
    floatCm: floatMax * 100,
    penetrationCm: penetration * 100,
    jerk: jerkCount === 0 ? 0 : jerkSum / jerkCount,
  };
}
