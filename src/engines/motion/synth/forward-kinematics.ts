import { Quaternion, Vector3 } from 'three';
import type { MotionClip } from '../clip.ts';
import { JOINT_COUNT, PARENTS, REST_OFFSETS } from '../skeleton.ts';

const REST = REST_OFFSETS.map(([x, y, z]) => new Vector3(x, y, z));

/**
 * World positions and rotations of every joint for one pose: each joint's world rotation is
 * its parent's times its own local rotation; its position is the parent's plus the parent's
 * world rotation applied to its rest offset (rest-relative rotations, skeleton.ts).
 */
export function poseWorld(root: Vector3, local: readonly Quaternion[], positions: Vector3[], rotations: Quaternion[]): void {
  for (let j = 0; j < JOINT_COUNT; j++) {
    const parent = PARENTS[j]!;
    if (parent < 0) {
      positions[j]!.copy(root);
      rotations[j]!.copy(local[j]!);
    } else {
      rotations[j]!.multiplyQuaternions(rotations[parent]!, local[j]!);
      positions[j]!.copy(REST[j]!).applyQuaternion(rotations[parent]!).add(positions[parent]!);
    }
  }
}

export function newPoseBuffers(): { positions: Vector3[]; rotations: Quaternion[] } {
  return {
    positions: Array.from({ length: JOINT_COUNT }, () => new Vector3()),
    rotations: Array.from({ length: JOINT_COUNT }, () => new Quaternion()),
  };
}

/** Forward kinematics of a whole clip: frameCount × 22 × 3 world positions, metres. */
export function jointPositions(clip: MotionClip): Float32Array {
  const out = new Float32Array(clip.frameCount * JOINT_COUNT * 3);
  const { positions, rotations } = newPoseBuffers();
  const local = Array.from({ length: JOINT_COUNT }, () => new Quaternion());
  const root = new Vector3();
  for (let f = 0; f < clip.frameCount; f++) {
    root.fromArray(clip.rootPositions, f * 3);
    for (let j = 0; j < JOINT_COUNT; j++) local[j]!.fromArray(clip.rotations, (f * JOINT_COUNT + j) * 4);
    poseWorld(root, local, positions, rotations);
    for (let j = 0; j < JOINT_COUNT; j++) positions[j]!.toArray(out, (f * JOINT_COUNT + j) * 3);
  }
  return out;
}
