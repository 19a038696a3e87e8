/**
 * HumanML3D-format joint positions (what MDM, MoMask and T2M-GPT output: frames × 22 × 3 in
 * SMPL joint order, metres, +Y up, facing +Z, ground at y = 0, 20 fps) as a motion clip on
 * our skeleton, from a .npy array or JSON (an array of frames, each 22 [x, y, z]).
 *
 * Positions do not fix rotations, so each joint gets the rotation that turns its rest bone
 * (towards its primary child) onto the observed bone with no twist about it relative to its
 * parent; the pelvis and upper chest, which have several children, take their twist from the
 * hip line and the collar line. Bone lengths differ from ours, so the root (the pelvis) is
 * scaled by our leg length over the data's, which keeps the feet on the ground and a planted
 * foot planted. Foot contacts follow HumanML3D's own rule (motion_representation.ipynb,
 * foot_detect): ankle and toe each move less than √0.002 m per 20 fps frame.
 */
import { Quaternion, Vector3 } from 'three';
import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { MOTION_LIMITS } from '../action-plan.ts';
import type { MotionClip } from '../clip.ts';
import { FOOT_JOINTS, JOINT_COUNT, PARENTS, REST_OFFSETS } from '../skeleton.ts';
import { frameAlignment } from './frame-alignment.ts';
import { isNpy, npyInvalid, parseNpy } from './npy.ts';
import { PRIMARY_CHILD, restWorldPositions } from './rest-pose.ts';

export const HUMANML3D_FPS = 20;

export const humanMl3dOptionsSchema = z.object({ fps: z.number().min(1).max(120).default(HUMANML3D_FPS) }).strict();
export type HumanMl3dOptions = z.input<typeof humanMl3dOptionsSchema>;

const jsonFramesSchema = z.array(z.array(z.tuple([z.number(), z.number(), z.number()])).length(JOINT_COUNT)).min(1);

/** HumanML3D's contact threshold: squared displacement per frame at 20 fps, m². */
const CONTACT_SQUARED_STEP_AT_20_FPS = 0.002;

function readPositions(bytes: Uint8Array): { frames: number; data: Float64Array } {
  if (isNpy(bytes)) {
    const { shape, data } = parseNpy(bytes);
    const ok = (shape.length === 3 && shape[1] === JOINT_COUNT && shape[2] === 3) || (shape.length === 2 && shape[1] === JOINT_COUNT * 3);
    if (!ok) throw npyInvalid(`shape (${shape.join(', ')}) is not (frames, 22, 3) or (frames, 66)`);
    return { frames: shape[0]!, data };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ShenbiError('MEDIA_INVALID', 'Joint positions must be a .npy array or JSON (an array of frames, each 22 [x, y, z] in metres).', { details: { format: 'humanml3d' } });
  }
  const frames = jsonFramesSchema.safeParse(parsed);
  if (!frames.success) {
    const issue = frames.error.issues[0];
    throw new ShenbiError('MEDIA_INVALID', `JSON joint positions must be an array of frames, each 22 [x, y, z]: ${issue?.message ?? 'bad shape'} at [${issue?.path.join('][') ?? ''}].`, { details: { format: 'humanml3d' } });
  }
  return { frames: frames.data.length, data: Float64Array.from(frames.data.flat(2)) };
}

export function importHumanMl3d(bytes: Uint8Array, options: HumanMl3dOptions = {}): MotionClip {
  const { fps } = parseOrThrow(humanMl3dOptionsSchema, options, 'HumanML3D import options');
  const { frames, data } = readPositions(bytes);
  if (frames < 1) throw new ShenbiError('MEDIA_INVALID', 'The joint array has no frames.', { details: { format: 'humanml3d' } });
  if (frames / fps > MOTION_LIMITS.maxSeconds) throw new ShenbiError('INVALID_INPUT', `The joint array lasts ${(frames / fps).toFixed(1)} s at ${fps} fps; the longest motion is ${MOTION_LIMITS.maxSeconds} s.`);
  if (!data.every(Number.isFinite)) throw new ShenbiError('MEDIA_INVALID', 'The joint array holds NaN or infinite values.', { details: { format: 'humanml3d' } });
  const at = (f: number, j: number): Vector3 => new Vector3(data[(f * JOINT_COUNT + j) * 3]!, data[(f * JOINT_COUNT + j) * 3 + 1]!, data[(f * JOINT_COUNT + j) * 3 + 2]!);

  const rest = restWorldPositions().map(([x, y, z]) => new Vector3(x, y, z));
  const restBone = (j: number, c: number): Vector3 => rest[c]!.clone().sub(rest[j]!);
  const leg = (p: (j: number) => Vector3): number => (p(1).distanceTo(p(4)) + p(4).distanceTo(p(7)) + p(2).distanceTo(p(5)) + p(5).distanceTo(p(8))) / 2;
  const dataLegs = Array.from({ length: frames }, (_, f) => leg((j) => at(f, j))).sort((a, b) => a - b);
  const dataLeg = dataLegs[Math.floor(frames / 2)]!;
  if (!(dataLeg > 0.1)) throw new ShenbiError('MEDIA_INVALID', 'The joint array does not look like a body: its legs are shorter than 10 cm (are the units metres?).', { details: { format: 'humanml3d' } });
  const scale = leg((j) => rest[j]!) / dataLeg;

  const rotations = new Float32Array(frames * JOINT_COUNT * 4);
  const rootPositions = new Float32Array(frames * 3);
  const world: Quaternion[] = new Array(JOINT_COUNT);
  for (let f = 0; f < frames; f++) {
    for (let j = 0; j < JOINT_COUNT; j++) {
      const parentWorld = j === 0 ? new Quaternion() : world[PARENTS[j]!]!;
      const c = PRIMARY_CHILD[j]!;
      if (j === 0) world[j] = frameAlignment(restBone(0, 3), restBone(2, 1), at(f, 3).sub(at(f, 0)), at(f, 1).sub(at(f, 2)));
      else if (j === 9) world[j] = frameAlignment(restBone(9, 12), restBone(14, 13), at(f, 12).sub(at(f, 9)), at(f, 13).sub(at(f, 14)));
      else if (c < 0) world[j] = parentWorld.clone();
      else {
        const from = new Vector3(...REST_OFFSETS[c]!).applyQuaternion(parentWorld).normalize();
        const to = at(f, c).sub(at(f, j)).normalize();
        world[j] = new Quaternion().setFromUnitVectors(from, to).multiply(parentWorld);
      }
      const local = parentWorld.clone().invert().multiply(world[j]!).normalize();
      if (!Number.isFinite(local.w)) throw new ShenbiError('MEDIA_INVALID', `Joint ${j} at frame ${f} has no direction: two joints it depends on are at the same place.`, { details: { format: 'humanml3d', frame: f, joint: j } });
      rotations.set([local.x, local.y, local.z, local.w], (f * JOINT_COUNT + j) * 4);
    }
    const pelvis = at(f, 0).multiplyScalar(scale);
    rootPositions.set([pelvis.x, pelvis.y, pelvis.z], f * 3);
  }

  const contacts = new Uint8Array(frames * 2);
  const threshold = CONTACT_SQUARED_STEP_AT_20_FPS * (HUMANML3D_FPS / fps) ** 2;
  [FOOT_JOINTS.left, FOOT_JOINTS.right].forEach(({ ankle, toe }, side) => {
    for (let f = 0; f < frames; f++) {
      const next = Math.min(f + 1, frames - 1);
      const previous = next === f ? Math.max(f - 1, 0) : f;
      const still = (j: number): boolean => at(next, j).distanceToSquared(at(previous, j)) < threshold;
      contacts[f * 2 + side] = frames > 1 && still(ankle) && still(toe) ? 1 : 0;
    }
  });
  return { fps, frameCount: frames, rootPositions, rotations, contacts };
}
