/**
 * The mannequin every motion GLB wears: one box per bone (parent joint to child joint, and a
 * leaf joint to its tip), each bound rigidly to the bone it belongs to. One mesh, so any
 * glTF viewer skins it with a single skin; sizes are a 1.7 m adult's.
 */
import { JOINT_COUNT, PARENTS } from '../skeleton.ts';
import { LEAF_TIPS, restWorldPositions } from './rest-pose.ts';

export interface MannequinMesh {
  /** Rest (bind) pose, metres. */
  positions: Float32Array;
  normals: Float32Array;
  /** One joint per vertex, weight 1 (VEC4 with three unused slots). */
  joints: Uint8Array;
  weights: Float32Array;
  indices: Uint16Array;
}

type V3 = [number, number, number];

/** Half-thickness of the box on the bone from a joint to its child (or tip), metres. */
function halfWidth(joint: number, child: number): number {
  if (joint === 15) return 0.09; // head
  if (joint === 0 || joint === 3 || joint === 6 || joint === 9) return child === 1 || child === 2 ? 0.06 : 0.1; // pelvis, torso
  if (joint === 12) return 0.045; // neck
  if (joint === 13 || joint === 14) return 0.05; // collars
  if (joint === 1 || joint === 2) return 0.07; // thighs
  if (joint === 4 || joint === 5) return 0.05; // shins
  if (joint === 7 || joint === 8 || joint === 10 || joint === 11) return 0.045; // feet
  if (joint === 16 || joint === 17) return 0.045; // upper arms
  if (joint === 20 || joint === 21) return 0.04; // hands
  return 0.038; // forearms
}

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const scale = (a: V3, s: number): V3 => [a[0] * s, a[1] * s, a[2] * s];
const unit = (a: V3): V3 => scale(a, 1 / Math.hypot(...a));

export function buildMannequin(): MannequinMesh {
  const rest = restWorldPositions();
  const segments: Array<{ joint: number; from: V3; to: V3; half: number }> = [];
  for (let j = 1; j < JOINT_COUNT; j++) segments.push({ joint: PARENTS[j]!, from: rest[PARENTS[j]!]!, to: rest[j]!, half: halfWidth(PARENTS[j]!, j) });
  for (const [leaf, tip] of Object.entries(LEAF_TIPS)) {
    const j = Number(leaf);
    segments.push({ joint: j, from: rest[j]!, to: [rest[j]![0] + tip[0], rest[j]![1] + tip[1], rest[j]![2] + tip[2]], half: halfWidth(j, -1) });
  }
  const positions: number[] = [];
  const normals: number[] = [];
  const joints: number[] = [];
  const indices: number[] = [];
  for (const { joint, from, to, half } of segments) {
    const axis = unit(sub(to, from));
    // Any vector not parallel to the bone gives the box's sides.
    const side = unit(cross(axis, Math.abs(axis[1]) > 0.9 ? [1, 0, 0] : [0, 1, 0]));
    const up = cross(axis, side);
    const corner = (end: V3, s: number, u: number): V3 => [end[0] + half * (s * side[0] + u * up[0]), end[1] + half * (s * side[1] + u * up[1]), end[2] + half * (s * side[2] + u * up[2])];
    // Six faces, each four corners counter-clockwise seen from outside, with its outward normal.
    const faces: Array<{ normal: V3; quad: V3[] }> = [
      { normal: side, quad: [corner(from, 1, -1), corner(from, 1, 1), corner(to, 1, 1), corner(to, 1, -1)] },
      { normal: scale(side, -1), quad: [corner(from, -1, 1), corner(from, -1, -1), corner(to, -1, -1), corner(to, -1, 1)] },
      { normal: up, quad: [corner(from, 1, 1), corner(from, -1, 1), corner(to, -1, 1), corner(to, 1, 1)] },
      { normal: scale(up, -1), quad: [corner(from, -1, -1), corner(from, 1, -1), corner(to, 1, -1), corner(to, -1, -1)] },
      { normal: axis, quad: [corner(to, 1, -1), corner(to, 1, 1), corner(to, -1, 1), corner(to, -1, -1)] },
      { normal: scale(axis, -1), quad: [corner(from, 1, -1), corner(from, -1, -1), corner(from, -1, 1), corner(from, 1, 1)] },
    ];
    for (const { normal, quad } of faces) {
      const base = positions.length / 3;
      for (const p of quad) {
        positions.push(...p);
        normals.push(...normal);
        joints.push(joint, 0, 0, 0);
      }
      indices.push(base, base + 1, base + 2, base, base + 2, base + 3);
    }
  }
  const vertexCount = positions.length / 3;
  const weights = new Float32Array(vertexCount * 4);
  for (let v = 0; v < vertexCount; v++) weights[v * 4] = 1;
  return { positions: Float32Array.from(positions), normals: Float32Array.from(normals), joints: Uint8Array.from(joints), weights, indices: Uint16Array.from(indices) };
}
