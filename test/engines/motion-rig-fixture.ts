import { Document, Logger, NodeIO, type Node } from '@gltf-transform/core';
import { Matrix4, Quaternion, Vector3 } from 'three';
import { readGlb, writeGlb } from '../../src/engines/motion/formats/glb-container.ts';
import { JOINT_COUNT, JOINT_NAMES, PARENTS, REST_OFFSETS, VRM_BONE_NAMES } from '../../src/engines/motion/skeleton.ts';

/**
 * A small humanoid rig for retargeting tests, unlike ours in every way a user's rig is:
 * legs 15 % longer (hip width included, so foot contacts can hold), a shorter torso, longer
 * arms in an A-pose, bones whose local frames point +Y along the bone (as Mixamo's and
 * Blender's do), and an "Armature" parent scaled 0.01 with the bones in centimetres.
 */

export const RIG_LEG_SCALE = 1.15;
const LEGS = new Set([1, 2, 4, 5, 7, 8, 10, 11]);
const ARMS = new Set([16, 17, 18, 19, 20, 21]);

export interface RigOptions {
  naming: 'mixamo' | 'vrm1' | 'vrm0';
  /** Turn the whole rig to face -Z (VRM 0.x's convention). */
  facingBack?: boolean;
}

/** Rest world positions of the rig's joints, metres. */
function rigRestPositions(): Vector3[] {
  const out: Vector3[] = [];
  const aPose = (j: number, offset: Vector3): Vector3 => (ARMS.has(j) ? offset.applyAxisAngle(new Vector3(0, 0, 1), (offset.x > 0 ? -40 : 40) * (Math.PI / 180)) : offset);
  for (let j = 0; j < JOINT_COUNT; j++) {
    const offset = new Vector3(...REST_OFFSETS[j]!);
    if (j === 0) out.push(offset.multiplyScalar(RIG_LEG_SCALE));
    else out.push(out[PARENTS[j]!]!.clone().add(aPose(j, offset.multiplyScalar(LEGS.has(j) ? RIG_LEG_SCALE : ARMS.has(j) ? 1.1 : 0.9))));
  }
  return out;
}

function nodeName(j: number, naming: RigOptions['naming']): string {
  return naming === 'mixamo' ? `mixamorig:${JOINT_NAMES[j]}` : `J_Bip_${VRM_BONE_NAMES[j]}`;
}

export async function buildRig(options: RigOptions): Promise<Uint8Array> {
  const positions = rigRestPositions();
  const turn = new Quaternion().setFromAxisAngle(new Vector3(0, 1, 0), options.facingBack ? Math.PI : 0);
  const worldPosition = positions.map((p) => p.clone().applyQuaternion(turn));
  // Each bone's world frame: +Y along the bone to its first child (leaves: as their parent).
  const worldRotation: Quaternion[] = [];
  for (let j = 0; j < JOINT_COUNT; j++) {
    const child = PARENTS.indexOf(j);
    worldRotation.push(child < 0 ? worldRotation[PARENTS[j]!]!.clone() : new Quaternion().setFromUnitVectors(new Vector3(0, 1, 0), worldPosition[child]!.clone().sub(worldPosition[j]!).normalize()));
  }
  const document = new Document().setLogger(new Logger(Logger.Verbosity.ERROR));
  const buffer = document.createBuffer();
  const scene = document.createScene('rig');
  const armatureScale = 0.01;
  const armature = document.createNode('Armature').setScale([armatureScale, armatureScale, armatureScale]);
  scene.addChild(armature);
  const nodes: Node[] = [];
  const world: Matrix4[] = [];
  for (let j = 0; j < JOINT_COUNT; j++) {
    world.push(new Matrix4().compose(worldPosition[j]!, worldRotation[j]!, new Vector3(armatureScale, armatureScale, armatureScale)));
    const parentWorld = PARENTS[j]! < 0 ? new Matrix4().makeScale(armatureScale, armatureScale, armatureScale) : world[PARENTS[j]!]!;
    const local = parentWorld.clone().invert().multiply(world[j]!);
    const t = new Vector3();
    const r = new Quaternion();
    local.decompose(t, r, new Vector3());
    const node = document.createNode(nodeName(j, options.naming)).setTranslation([t.x, t.y, t.z]).setRotation([r.x, r.y, r.z, r.w]);
    nodes.push(node);
    (PARENTS[j]! < 0 ? armature : nodes[PARENTS[j]!]!).addChild(node);
  }
  // A token mesh so the file is a model, not only a skeleton.
  const positionsArray = new Float32Array([0, 0, 0, 0.1, 0, 0, 0, 0.1, 0]);
  const mesh = document.createMesh('marker').addPrimitive(document.createPrimitive().setAttribute('POSITION', document.createAccessor().setType('VEC3').setArray(positionsArray).setBuffer(buffer)));
  scene.addChild(document.createNode('marker').setMesh(mesh));
  const glb = await new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR)).writeBinary(document);
  if (options.naming === 'mixamo') return glb;
  // glTF-Transform drops extensions it does not know, so the VRM map is added to the JSON directly.
  const parts = readGlb(glb);
  const names = (parts.json.nodes as Array<{ name: string }>).map((n) => n.name);
  const nodeOf = (j: number): number => names.indexOf(nodeName(j, options.naming));
  parts.json.extensionsUsed = [options.naming === 'vrm1' ? 'VRMC_vrm' : 'VRM'];
  parts.json.extensions =
    options.naming === 'vrm1'
      ? { VRMC_vrm: { specVersion: '1.0', humanoid: { humanBones: Object.fromEntries(VRM_BONE_NAMES.map((bone, j) => [bone, { node: nodeOf(j) }])) } } }
      : { VRM: { specVersion: '0.0', humanoid: { humanBones: VRM_BONE_NAMES.map((bone, j) => ({ bone, node: nodeOf(j) })) } } };
  return writeGlb(parts);
}

/** A GLB with bones but no humanoid names or map. */
export async function buildUnmappedRig(): Promise<Uint8Array> {
  const document = new Document().setLogger(new Logger(Logger.Verbosity.ERROR));
  const scene = document.createScene('rig');
  let parent = document.createNode('bone0');
  scene.addChild(parent);
  for (let i = 1; i < 5; i++) {
    const child = document.createNode(`bone${i}`).setTranslation([0, 0.2, 0]);
    parent.addChild(child);
    parent = child;
  }
  return new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR)).writeBinary(document);
}
