/**
 * BVH (Biovision hierarchy) from a motion clip: the 22 joints under their Mixamo names, with
 * end sites at the top of the head, the fingertips and the toe tips.
 *
 * - Units are metres, +Y up, facing +Z (skeleton.ts): Blender's importer reads BVH values as
 *   scene units at its default scale 1.0 and its default axes (forward -Z, up Y) turn +Y-up
 *   files upright, so the figure arrives 1.7 m tall and facing Blender's front view. Tools
 *   that assume centimetres (MotionBuilder) need a 100× scale on import.
 * - The root's OFFSET is 0 0 0 and its position channels hold its world position: importers
 *   disagree on whether a root OFFSET is added to the channels (three.js) or subtracted from
 *   them (Blender), and with a zero offset both read the same.
 * - Rotations are the clip's rest-relative local rotations (the rest pose is the T-pose the
 *   OFFSETs describe), as Euler angles in degrees, channels `Zrotation Xrotation Yrotation`:
 *   the rotation is Rz·Rx·Ry (intrinsic Z, then X, then Y), the common motion-capture order.
 *   Angles are unwrapped frame to frame so interpolating importers never spin the long way.
 */
import { Euler, Quaternion } from 'three';
import type { MotionClip } from '../clip.ts';
import { JOINT_COUNT, JOINT_NAMES, REST_OFFSETS } from '../skeleton.ts';
import { assertMotionClip } from './clip-check.ts';
import { childrenOf, LEAF_TIPS } from './rest-pose.ts';

export const BVH_ROTATION_CHANNELS = 'Zrotation Xrotation Yrotation';
const EULER_ORDER = 'ZXY';

/** Fixed decimals, and no "-0": the same clip always gives the same text. */
function num(value: number, decimals = 6): string {
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

const vec = (v: readonly number[]): string => v.map((x) => num(x)).join(' ');

/** Joint indices in BVH order: depth first, children in index order. */
export function bvhJointOrder(): number[] {
  const children = childrenOf();
  const order: number[] = [];
  const visit = (j: number): void => {
    order.push(j);
    for (const c of children[j]!) visit(c);
  };
  visit(0);
  return order;
}

function hierarchyLines(): string[] {
  const children = childrenOf();
  const lines: string[] = ['HIERARCHY'];
  const visit = (j: number, depth: number): void => {
    const pad = '  '.repeat(depth);
    lines.push(`${pad}${j === 0 ? 'ROOT' : 'JOINT'} ${JOINT_NAMES[j]}`, `${pad}{`);
    lines.push(`${pad}  OFFSET ${j === 0 ? vec([0, 0, 0]) : vec(REST_OFFSETS[j]!)}`);
    lines.push(`${pad}  CHANNELS ${j === 0 ? `6 Xposition Yposition Zposition ${BVH_ROTATION_CHANNELS}` : `3 ${BVH_ROTATION_CHANNELS}`}`);
    for (const c of children[j]!) visit(c, depth + 1);
    const tip = LEAF_TIPS[j];
    if (tip !== undefined) lines.push(`${pad}  End Site`, `${pad}  {`, `${pad}    OFFSET ${vec(tip)}`, `${pad}  }`);
    lines.push(`${pad}}`);
  };
  visit(0, 0);
  return lines;
}

/** The nearest angle to `previous` equal to `angle` modulo 360°. */
function unwrap(angle: number, previous: number | undefined): number {
  if (previous === undefined) return angle;
  return angle - 360 * Math.round((angle - previous) / 360);
}

export function writeBvh(clip: MotionClip): string {
  assertMotionClip(clip);
  const order = bvhJointOrder();
  const q = new Quaternion();
  const euler = new Euler();
  const previous: Array<[number, number, number] | undefined> = new Array(JOINT_COUNT);
  const frames: string[] = [];
  for (let f = 0; f < clip.frameCount; f++) {
    const values: string[] = [];
    for (const j of order) {
      if (j === 0) values.push(vec(Array.from(clip.rootPositions.subarray(f * 3, f * 3 + 3))));
      const at = (f * JOINT_COUNT + j) * 4;
      q.set(clip.rotations[at]!, clip.rotations[at + 1]!, clip.rotations[at + 2]!, clip.rotations[at + 3]!).normalize();
      euler.setFromQuaternion(q, EULER_ORDER);
      const last = previous[j];
      const zxy: [number, number, number] = [
        unwrap((euler.z * 180) / Math.PI, last?.[0]),
        unwrap((euler.x * 180) / Math.PI, last?.[1]),
        unwrap((euler.y * 180) / Math.PI, last?.[2]),
      ];
      previous[j] = zxy;
      values.push(vec(zxy));
    }
    frames.push(values.join(' '));
  }
  return [...hierarchyLines(), 'MOTION', `Frames: ${clip.frameCount}`, `Frame Time: ${num(1 / clip.fps, 8)}`, ...frames, ''].join('\n');
}
