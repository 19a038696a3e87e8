/**
 * Retargeting a clip onto a user's humanoid rig (GLB or VRM), written as the same file with
 * one animation added (everything else in it kept as it was: glb-container.ts).
 *
 * Rotations are carried rest-pose-relative, in world space: our rest pose has identity
 * rotations, so a joint's world rotation D is its change from rest. Each rig bone is first
 * turned from its own rest pose into ours (A: its bone direction onto ours; for the hips the
 * whole frame, so a rig facing -Z, as VRM 0.x rigs do, is turned round), then by D; its local
 * rotation follows from its parent's. Bones the rig lacks are skipped and rig bones we do not
 * drive keep their rest rotation, so extra or missing spine bones are absorbed. The hips
 * travel our root's path scaled by the ratio of leg lengths, so with legs in proportion a
 * planted foot stays planted.
 */
import { Matrix4, Quaternion, Vector3 } from 'three';
import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import type { MotionClip } from '../clip.ts';
import { JOINT_COUNT, PARENTS, REST_OFFSETS } from '../skeleton.ts';
import { assertMotionClip } from './clip-check.ts';
import { readGlb, writeGlb } from './glb-container.ts';
import { PRIMARY_CHILD, restWorldPositions } from './rest-pose.ts';
import { findHumanoid } from './rig-humanoid.ts';
import { frameAlignment } from './frame-alignment.ts';

const gltfNodeSchema = z
  .object({
    name: z.string().optional(),
    children: z.array(z.number().int().nonnegative()).optional(),
    translation: z.tuple([z.number(), z.number(), z.number()]).optional(),
    rotation: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    scale: z.tuple([z.number(), z.number(), z.number()]).optional(),
    matrix: z.array(z.number()).length(16).optional(),
  })
  .loose();
const gltfSchema = z
  .object({
    nodes: z.array(gltfNodeSchema),
    buffers: z.array(z.object({ byteLength: z.number().int().nonnegative(), uri: z.string().optional() }).loose()).optional(),
    bufferViews: z.array(z.unknown()).optional(),
    accessors: z.array(z.unknown()).optional(),
    animations: z.array(z.unknown()).optional(),
  })
  .loose();

type GltfNode = z.infer<typeof gltfNodeSchema>;

function localMatrix(node: GltfNode): Matrix4 {
  if (node.matrix !== undefined) return new Matrix4().fromArray(node.matrix);
  return new Matrix4().compose(new Vector3(...(node.translation ?? [0, 0, 0])), new Quaternion(...(node.rotation ?? [0, 0, 0, 1])), new Vector3(...(node.scale ?? [1, 1, 1])));
}

interface RigRest {
  parents: number[];
  /** Nodes, parents before children. */
  order: number[];
  local: Matrix4[];
  world: Matrix4[];
}

function rigRest(nodes: GltfNode[]): RigRest {
  const parents = nodes.map(() => -1);
  nodes.forEach((node, i) => {
    for (const c of node.children ?? []) {
      if (c >= nodes.length || parents[c] !== -1 || c === i) throw new ShenbiError('MEDIA_INVALID', `Not a valid glTF node tree: node ${c} has two parents or does not exist.`, { details: { format: 'glb' } });
      parents[c] = i;
    }
  });
  const local = nodes.map(localMatrix);
  const world: Matrix4[] = new Array(nodes.length);
  const order: number[] = [];
  const visit = (i: number, parentWorld: Matrix4 | null): void => {
    world[i] = parentWorld === null ? local[i]!.clone() : parentWorld.clone().multiply(local[i]!);
    order.push(i);
    for (const c of nodes[i]!.children ?? []) visit(c, world[i]!);
  };
  nodes.forEach((_, i) => {
    if (parents[i] === -1) visit(i, null);
  });
  if (order.length !== nodes.length) throw new ShenbiError('MEDIA_INVALID', 'Not a valid glTF node tree: it has a cycle.', { details: { format: 'glb' } });
  return { parents, order, local, world };
}

const positionOf = (m: Matrix4): Vector3 => new Vector3().setFromMatrixPosition(m);
const rotationOf = (m: Matrix4): Quaternion => {
  const q = new Quaternion();
  m.decompose(new Vector3(), q, new Vector3());
  return q;
};

function legLength(at: (j: number) => Vector3): number {
  const side = (hip: number, knee: number, ankle: number): number => at(hip).distanceTo(at(knee)) + at(knee).distanceTo(at(ankle));
  return (side(1, 4, 7) + side(2, 5, 8)) / 2;
}

export async function retargetToRig(clip: MotionClip, rigGlb: Uint8Array): Promise<Uint8Array> {
  assertMotionClip(clip);
  const { json, bin } = readGlb(rigGlb);
  const parsed = gltfSchema.safeParse(json);
  if (!parsed.success) throw new ShenbiError('MEDIA_INVALID', `Not a usable glTF rig: ${parsed.error.issues[0]?.message ?? 'bad structure'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}.`, { details: { format: 'glb' } });
  const gltf = parsed.data;
  if (gltf.buffers?.[0]?.uri !== undefined) throw new ShenbiError('MEDIA_INVALID', 'The rig keeps its first buffer outside the GLB (a uri); give a self-contained .glb or .vrm.', { details: { format: 'glb' } });
  const humanoid = findHumanoid(json);
  const map = humanoid.nodes;
  const rest = rigRest(gltf.nodes);
  const ours = restWorldPositions().map(([x, y, z]) => new Vector3(x, y, z));
  const rigPos = (j: number): Vector3 => positionOf(rest.world[map[j]!]!);

  // A per joint: the rig's rest bone turned onto our rest bone.
  const align: Quaternion[] = new Array(JOINT_COUNT);
  for (let j = 0; j < JOINT_COUNT; j++) {
    if (j === 0) {
      // Up is the nearest spine bone the rig has, compared with ours to the same joint.
      const spine = [3, 6, 9, 12, 15].find((s) => map[s] !== undefined);
      const rigUp = spine === undefined ? new Vector3(0, 1, 0) : rigPos(spine).sub(rigPos(0));
      const ourUp = spine === undefined ? new Vector3(0, 1, 0) : ours[spine]!.clone().sub(ours[0]!);
      align[j] = frameAlignment(rigUp, rigPos(1).sub(rigPos(2)), ourUp, ours[1]!.clone().sub(ours[2]!));
      continue;
    }
    let child = PRIMARY_CHILD[j]!;
    while (child >= 0 && map[child] === undefined) child = PRIMARY_CHILD[child]!;
    if (map[j] === undefined || child < 0) {
      align[j] = align[PARENTS[j]!]!.clone();
      continue;
    }
    const rigDirection = rigPos(child).sub(rigPos(j)).normalize();
    const ourDirection = ours[child]!.clone().sub(ours[j]!).normalize();
    align[j] = new Quaternion().setFromUnitVectors(rigDirection, ourDirection);
  }

  const scale = legLength(rigPos) / legLength((j) => ours[j]!);
  if (!(scale > 0.01) || align.some((q) => !Number.isFinite(q.w))) {
    throw new ShenbiError('INVALID_INPUT', `The rig's ${humanoid.source} humanoid is degenerate: its hips, spine and leg bones must be apart from one another (leg length ${(scale * 100).toFixed(1)} % of ours).`);
  }
  const hipsNode = map[0]!;
  const hipsParent = rest.parents[hipsNode]!;
  const hipsParentInverse = hipsParent < 0 ? new Matrix4() : rest.world[hipsParent]!.clone().invert();
  const hipsRest = rigPos(0);
  const jointOfNode = new Map<number, number>();
  map.forEach((node, j) => {
    if (node !== undefined) jointOfNode.set(node, j);
  });
  const restWorldRotation = rest.world.map(rotationOf);
  const restLocalRotation = rest.local.map(rotationOf);
  const driven = [...jointOfNode.keys()].sort((a, b) => a - b);

  const frames = clip.frameCount;
  const rotationOut = new Map(driven.map((node) => [node, new Float32Array(frames * 4)]));
  const translationOut = new Float32Array(frames * 3);
  const source: Quaternion[] = new Array(JOINT_COUNT);
  const world: Quaternion[] = new Array(gltf.nodes.length);
  const q = new Quaternion();
  for (let f = 0; f < frames; f++) {
    for (let j = 0; j < JOINT_COUNT; j++) {
      const at = (f * JOINT_COUNT + j) * 4;
      q.set(clip.rotations[at]!, clip.rotations[at + 1]!, clip.rotations[at + 2]!, clip.rotations[at + 3]!).normalize();
      source[j] = PARENTS[j]! < 0 ? q.clone() : source[PARENTS[j]!]!.clone().multiply(q);
    }
    for (const node of rest.order) {
      const parent = rest.parents[node]!;
      const parentWorld = parent < 0 ? new Quaternion() : world[parent]!;
      const j = jointOfNode.get(node);
      if (j === undefined) {
        world[node] = parentWorld.clone().multiply(restLocalRotation[node]!);
        continue;
      }
      world[node] = source[j]!.clone().multiply(align[j]!).multiply(restWorldRotation[node]!);
      const local = parentWorld.clone().invert().multiply(world[node]!).normalize();
      const out = rotationOut.get(node)!;
      // Keep consecutive keys in one hemisphere so LINEAR interpolation takes the short way.
      if (f > 0 && out[(f - 1) * 4]! * local.x + out[(f - 1) * 4 + 1]! * local.y + out[(f - 1) * 4 + 2]! * local.z + out[(f - 1) * 4 + 3]! * local.w < 0) local.set(-local.x, -local.y, -local.z, -local.w);
      out.set([local.x, local.y, local.z, local.w], f * 4);
    }
    const root = new Vector3(clip.rootPositions[f * 3]!, clip.rootPositions[f * 3 + 1]!, clip.rootPositions[f * 3 + 2]!);
    const hipsWorld = root.sub(ours[0]!).multiplyScalar(scale).add(hipsRest).applyMatrix4(hipsParentInverse);
    translationOut.set([hipsWorld.x, hipsWorld.y, hipsWorld.z], f * 3);
  }

  const times = new Float32Array(frames);
  for (let f = 0; f < frames; f++) times[f] = f / clip.fps;
  return writeGlb(appendAnimation(json, bin, times, hipsNode, translationOut, rotationOut));
}

/** Adds one animation (its data appended to the BIN chunk) to a parsed GLB. */
function appendAnimation(json: Record<string, unknown>, bin: Uint8Array, times: Float32Array, hipsNode: number, translation: Float32Array, rotations: Map<number, Float32Array>): { json: Record<string, unknown>; bin: Uint8Array } {
  const out = structuredClone(json) as Record<string, unknown> & { buffers?: Array<{ byteLength: number }>; bufferViews?: unknown[]; accessors?: unknown[]; animations?: unknown[] };
  const chunks: Uint8Array[] = [bin];
  let length = bin.length;
  const buffers = (out.buffers ??= []);
  if (buffers.length === 0) buffers.push({ byteLength: 0 });
  const bufferViews = (out.bufferViews ??= []);
  const accessors = (out.accessors ??= []);
  const add = (data: Float32Array, type: 'SCALAR' | 'VEC3' | 'VEC4', withBounds: boolean): number => {
    const padding = (4 - (length % 4)) % 4;
    if (padding > 0) chunks.push(new Uint8Array(padding));
    length += padding;
    bufferViews.push({ buffer: 0, byteOffset: length, byteLength: data.byteLength });
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    length += data.byteLength;
    const count = data.length / (type === 'SCALAR' ? 1 : type === 'VEC3' ? 3 : 4);
    accessors.push({ bufferView: bufferViews.length - 1, componentType: 5126, count, type, ...(withBounds ? { min: [data[0]], max: [data[data.length - 1]] } : {}) });
    return accessors.length - 1;
  };
  const input = add(times, 'SCALAR', true);
  const samplers: unknown[] = [];
  const channels: unknown[] = [];
  const channel = (node: number, path: 'translation' | 'rotation', output: number): void => {
    samplers.push({ input, output, interpolation: 'LINEAR' });
    channels.push({ sampler: samplers.length - 1, target: { node, path } });
  };
  channel(hipsNode, 'translation', add(translation, 'VEC3', false));
  for (const [node, values] of rotations) channel(node, 'rotation', add(values, 'VEC4', false));
  (out.animations ??= []).push({ name: 'motion', samplers, channels });
  const merged = new Uint8Array(length + ((4 - (length % 4)) % 4));
  let at = 0;
  for (const chunk of chunks) {
    merged.set(chunk, at);
    at += chunk.length;
  }
  buffers[0]!.byteLength = merged.length;
  return { json: out, bin: merged };
}
