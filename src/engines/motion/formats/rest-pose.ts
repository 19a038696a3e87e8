import { JOINT_COUNT, PARENTS, REST_OFFSETS } from '../skeleton.ts';

/** Rest-pose world position of every joint (the T-pose of skeleton.ts), metres. */
export function restWorldPositions(): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let j = 0; j < JOINT_COUNT; j++) {
    const [x, y, z] = REST_OFFSETS[j]!;
    const p = PARENTS[j]!;
    out.push(p < 0 ? [x, y, z] : [out[p]![0] + x, out[p]![1] + y, out[p]![2] + z]);
  }
  return out;
}

/** Children of every joint, in index order (the order BVH and glTF list them). */
export function childrenOf(): number[][] {
  const children: number[][] = Array.from({ length: JOINT_COUNT }, () => []);
  for (let j = 1; j < JOINT_COUNT; j++) children[PARENTS[j]!]!.push(j);
  return children;
}

/**
 * The child whose direction a joint's bone points along (the bone's "tail"): for the pelvis
 * the spine, for the upper chest the neck; -1 for leaves (head, hands, toes).
 */
export const PRIMARY_CHILD: readonly number[] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, -1, 15, 16, 17, -1, 18, 19, 20, 21, -1, -1];

/**
 * Where a leaf's bone ends (BVH "End Site", the mannequin's last segment), from the leaf
 * joint, metres: the top of the head, the fingertips, the tips of the toes.
 */
export const LEAF_TIPS: Readonly<Record<number, readonly [number, number, number]>> = {
  10: [0, 0, 0.06],
  11: [0, 0, 0.06],
  15: [0, 0.16, 0],
  20: [0.17, 0, 0],
  21: [-0.17, 0, 0],
};
