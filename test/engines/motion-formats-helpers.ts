import assert from 'node:assert/strict';
import { AnimationMixer, Euler, LoopOnce, Quaternion, Vector3, type AnimationClip, type Bone, type Object3D } from 'three';
import { BVHLoader } from 'three/examples/jsm/loaders/BVHLoader.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import type { MotionClip } from '../../src/engines/motion/clip.ts';
import { JOINT_COUNT, JOINT_INDEX, JOINT_NAMES, PARENTS, REST_OFFSETS, type JointName } from '../../src/engines/motion/skeleton.ts';

/**
 * Test clips made by hand, and forward kinematics written here from the skeleton's
 * definition (not the engine's), so the formats are checked against an independent answer.
 */

const DEG = Math.PI / 180;

/** World positions per frame (frameCount × 22 × 3) by forward kinematics. */
export function forwardKinematics(clip: MotionClip): Float64Array {
  const out = new Float64Array(clip.frameCount * JOINT_COUNT * 3);
  const world: Quaternion[] = [];
  const pos: Vector3[] = [];
  for (let f = 0; f < clip.frameCount; f++) {
    for (let j = 0; j < JOINT_COUNT; j++) {
      const at = (f * JOINT_COUNT + j) * 4;
      const local = new Quaternion(clip.rotations[at], clip.rotations[at + 1], clip.rotations[at + 2], clip.rotations[at + 3]).normalize();
      const p = PARENTS[j]!;
      if (p < 0) {
        world[j] = local;
        pos[j] = new Vector3(clip.rootPositions[f * 3], clip.rootPositions[f * 3 + 1], clip.rootPositions[f * 3 + 2]);
      } else {
        world[j] = world[p]!.clone().multiply(local);
        pos[j] = new Vector3(...REST_OFFSETS[j]!).applyQuaternion(world[p]!).add(pos[p]!);
      }
      out.set([pos[j]!.x, pos[j]!.y, pos[j]!.z], (f * JOINT_COUNT + j) * 3);
    }
  }
  return out;
}

export type Pose = Partial<Record<JointName, [number, number, number]>>;

/** A clip from per-frame poses (Euler XYZ degrees per joint) and root positions. */
export function clipFromPoses(fps: number, poses: Pose[], roots: Array<[number, number, number]>, contacts?: Array<[number, number]>): MotionClip {
  const frameCount = poses.length;
  const rotations = new Float32Array(frameCount * JOINT_COUNT * 4);
  const q = new Quaternion();
  poses.forEach((pose, f) => {
    for (let j = 0; j < JOINT_COUNT; j++) rotations.set([0, 0, 0, 1], (f * JOINT_COUNT + j) * 4);
    for (const [name, [x, y, z]] of Object.entries(pose)) {
      q.setFromEuler(new Euler(x * DEG, y * DEG, z * DEG, 'XYZ'));
      rotations.set([q.x, q.y, q.z, q.w], (f * JOINT_COUNT + JOINT_INDEX[name as JointName]) * 4);
    }
  });
  return {
    fps,
    frameCount,
    rootPositions: Float32Array.from(roots.flat()),
    rotations,
    contacts: Uint8Array.from((contacts ?? poses.map((): [number, number] => [0, 0])).flat()),
  };
}

/** A wave with a body turn and a knee bend: every joint class moves, with large angles. */
export function gestureClip(frameCount = 12, fps = 30): MotionClip {
  const poses: Pose[] = [];
  const roots: Array<[number, number, number]> = [];
  for (let f = 0; f < frameCount; f++) {
    const t = f / (frameCount - 1);
    poses.push({
      Hips: [5 * t, 170 * t, 0], // turns past 90° so Euler angles go large
      Spine: [10 * t, 0, 5],
      Spine2: [0, 20 * t, 0],
      Spine1: [90 * t, 10, 0], // reaches the middle axis's gimbal lock (X = 90°) on the last frame
      Neck: [-10, 0, 0],
      Head: [20 * t, -30 * t, 0],
      LeftUpLeg: [-80 * t, 10, 0],
      LeftLeg: [100 * t, 0, 0],
      LeftFoot: [-20, 0, 5],
      RightUpLeg: [30, -5, 0],
      RightLeg: [20, 0, 0],
      RightShoulder: [0, 0, 15],
      RightArm: [30, 20, 80 * t],
      RightForeArm: [0, 60 + 30 * Math.sin(6 * t), 0],
      RightHand: [0, 0, 20],
      LeftArm: [0, 0, -70],
      LeftForeArm: [0, -120 * t, 0],
      LeftToeBase: [30, 0, 0],
    });
    roots.push([0.1 * f, 0.95 - 0.1 * t, 0.05 * f]);
  }
  return clipFromPoses(fps, poses, roots);
}

/**
 * A stance phase: the left foot planted while the body passes over it (the left hip swings
 * from flexed to extended, the knee bends and straightens, the right leg swings through, the
 * arms swing); the root is placed so that the left ankle stays exactly where it started.
 */
export function stanceClip(frameCount = 21, fps = 30): MotionClip {
  const poses: Pose[] = [];
  for (let f = 0; f < frameCount; f++) {
    const t = f / (frameCount - 1);
    poses.push({
      Hips: [0, 8 * Math.sin(Math.PI * t), 0],
      LeftUpLeg: [-25 + 50 * t, 0, 0],
      LeftLeg: [15 * Math.sin(Math.PI * t), 0, 0],
      LeftFoot: [10 - 30 * t, 0, 0],
      RightUpLeg: [25 - 60 * t, 0, 0],
      RightLeg: [40 * Math.sin(Math.PI * t), 0, 0],
      Spine1: [5, -6 * Math.sin(Math.PI * t), 0],
      LeftArm: [0, 0, -70],
      RightArm: [20 - 40 * t, 0, 70],
      RightForeArm: [0, 30, 0],
    });
  }
  const zero = clipFromPoses(fps, poses, poses.map((): [number, number, number] => [0, 0, 0]));
  const fk = forwardKinematics(zero);
  const ankle = JOINT_INDEX.LeftFoot;
  const planted: [number, number, number] = [0.06, 0.07, 0.3];
  const roots = poses.map((_, f): [number, number, number] => {
    const at = (f * JOINT_COUNT + ankle) * 3;
    return [planted[0] - fk[at]!, planted[1] - fk[at + 1]!, planted[2] - fk[at + 2]!];
  });
  return clipFromPoses(fps, poses, roots, poses.map((): [number, number] => [1, 0]));
}

/** A .npy file as numpy.save writes it (version 1.0, header padded to 64 bytes). */
export function npyBytes(values: ArrayLike<number>, shape: number[], options: { descr?: string; fortran?: boolean; itemSize?: number } = {}): Uint8Array {
  const descr = options.descr ?? '<f4';
  const itemSize = options.itemSize ?? (descr === '<f8' ? 8 : 4);
  let header = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n';
  const out = new Uint8Array(10 + header.length + values.length * itemSize);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0], 0);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  for (let i = 0; i < values.length; i++) {
    if (itemSize === 8) view.setFloat64(10 + header.length + i * 8, values[i]!, true);
    else view.setFloat32(10 + header.length + i * 4, values[i]!, true);
  }
  return out;
}

/** World positions per frame of the named objects under `root`, as three.js's AnimationMixer poses them. */
export function animatedWorldPositions(root: Object3D, clip: AnimationClip, names: readonly string[]): { positions: Float64Array; frameCount: number; frameTime: number } {
  const mixer = new AnimationMixer(root);
  const action = mixer.clipAction(clip).setLoop(LoopOnce, 1);
  action.clampWhenFinished = true; // else the last frame's time wraps to the first
  action.play();
  const frameCount = clip.tracks[0]!.times.length;
  const frameTime = frameCount > 1 ? clip.tracks[0]!.times[1]! : 0;
  const objects = names.map((name) => root.getObjectByName(name) ?? assert.fail(`no object named ${name}`));
  const positions = new Float64Array(frameCount * names.length * 3);
  const p = new Vector3();
  for (let f = 0; f < frameCount; f++) {
    mixer.setTime(f * frameTime);
    root.updateMatrixWorld(true);
    objects.forEach((object, j) => {
      object.getWorldPosition(p);
      positions.set([p.x, p.y, p.z], (f * names.length + j) * 3);
    });
  }
  return { positions, frameCount, frameTime };
}

/** World joint positions per frame of a BVH, as three.js's BVHLoader reads it. */
export function bvhWorldPositions(text: string): { positions: Float64Array; frameCount: number; frameTime: number } {
  const { skeleton, clip } = new BVHLoader().parse(text);
  return animatedWorldPositions(skeleton.bones[0] as Bone, clip, JOINT_NAMES);
}

export async function loadGlb(bytes: Uint8Array): Promise<{ scene: Object3D; animations: AnimationClip[] }> {
  return new GLTFLoader().parseAsync(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, '');
}

export function maxDistance(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i += 3) worst = Math.max(worst, Math.hypot(a[i]! - b[i]!, a[i + 1]! - b[i + 1]!, a[i + 2]! - b[i + 2]!));
  return worst;
}

