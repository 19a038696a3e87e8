/**
 * GLB of a motion: the skeleton as one node per joint (named as skeleton.ts names them, rest
 * offsets as translations), the box mannequin (mannequin.ts) skinned to it, and one
 * animation: the Hips' translation and every joint's rotation, one key per frame, LINEAR.
 * Rest rotations are identity, so a joint's animated rotation is the clip's rest-relative
 * rotation itself. Nothing time-dependent is written: the same clip gives the same bytes.
 */
import { Document, Logger, NodeIO, type Node } from '@gltf-transform/core';
import type { MotionClip } from '../clip.ts';
import { JOINT_COUNT, JOINT_NAMES, PARENTS, REST_OFFSETS } from '../skeleton.ts';
import { assertMotionClip } from './clip-check.ts';
import { buildMannequin } from './mannequin.ts';
import { restWorldPositions } from './rest-pose.ts';

export const MOTION_GLB_GENERATOR = 'Shenbi';

export interface MotionGlbOptions {
  /** The scene and animation name (default "motion"). */
  name?: string;
}

/** Rotations normalised in double precision, then stored as float32 (glTF wants unit quaternions). */
function jointRotations(clip: MotionClip, joint: number): Float32Array {
  const out = new Float32Array(clip.frameCount * 4);
  for (let f = 0; f < clip.frameCount; f++) {
    const at = (f * JOINT_COUNT + joint) * 4;
    const [x, y, z, w] = [clip.rotations[at]!, clip.rotations[at + 1]!, clip.rotations[at + 2]!, clip.rotations[at + 3]!];
    const length = Math.hypot(x, y, z, w);
    // q and -q are the same rotation: keep consecutive keys in one hemisphere so LINEAR never takes the long way.
    const flip = f > 0 && out[(f - 1) * 4]! * x + out[(f - 1) * 4 + 1]! * y + out[(f - 1) * 4 + 2]! * z + out[(f - 1) * 4 + 3]! * w < 0 ? -1 : 1;
    out.set([(flip * x) / length, (flip * y) / length, (flip * z) / length, (flip * w) / length], f * 4);
  }
  return out;
}

export function motionDocument(clip: MotionClip, options: MotionGlbOptions = {}): Document {
  assertMotionClip(clip);
  const name = options.name ?? 'motion';
  const document = new Document().setLogger(new Logger(Logger.Verbosity.ERROR));
  document.getRoot().getAsset().generator = MOTION_GLB_GENERATOR;
  const buffer = document.createBuffer('motion');
  const scene = document.createScene(name);
  document.getRoot().setDefaultScene(scene);

  const nodes: Node[] = [];
  for (let j = 0; j < JOINT_COUNT; j++) {
    const node = document.createNode(JOINT_NAMES[j]).setTranslation([...REST_OFFSETS[j]!]);
    nodes.push(node);
    if (PARENTS[j]! < 0) scene.addChild(node);
    else nodes[PARENTS[j]!]!.addChild(node);
  }

  const rest = restWorldPositions();
  const inverseBind = new Float32Array(JOINT_COUNT * 16);
  rest.forEach(([x, y, z], j) => inverseBind.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -x, -y, -z, 1], j * 16));
  const skin = document
    .createSkin('skeleton')
    .setSkeleton(nodes[0]!)
    .setInverseBindMatrices(document.createAccessor('inverse bind matrices').setType('MAT4').setArray(inverseBind).setBuffer(buffer));
  for (const node of nodes) skin.addJoint(node);

  const body = buildMannequin();
  const material = document.createMaterial('mannequin').setBaseColorFactor([0.62, 0.64, 0.68, 1]).setMetallicFactor(0).setRoughnessFactor(0.7);
  const primitive = document
    .createPrimitive()
    .setAttribute('POSITION', document.createAccessor('mannequin positions').setType('VEC3').setArray(body.positions).setBuffer(buffer))
    .setAttribute('NORMAL', document.createAccessor('mannequin normals').setType('VEC3').setArray(body.normals).setBuffer(buffer))
    .setAttribute('JOINTS_0', document.createAccessor('mannequin joints').setType('VEC4').setArray(body.joints).setBuffer(buffer))
    .setAttribute('WEIGHTS_0', document.createAccessor('mannequin weights').setType('VEC4').setArray(body.weights).setBuffer(buffer))
    .setIndices(document.createAccessor('mannequin indices').setType('SCALAR').setArray(body.indices).setBuffer(buffer))
    .setMaterial(material);
  // The skinned mesh's node is a root with no transform: glTF poses skinned vertices by the joints alone.
  scene.addChild(document.createNode('Mannequin').setMesh(document.createMesh('Mannequin').addPrimitive(primitive)).setSkin(skin));

  const times = new Float32Array(clip.frameCount);
  for (let f = 0; f < clip.frameCount; f++) times[f] = f / clip.fps;
  const input = document.createAccessor('frame times').setType('SCALAR').setArray(times).setBuffer(buffer);
  const animation = document.createAnimation(name);
  const channel = (node: Node, path: 'translation' | 'rotation', type: 'VEC3' | 'VEC4', values: Float32Array): void => {
    const sampler = document.createAnimationSampler().setInput(input).setInterpolation('LINEAR').setOutput(document.createAccessor(`${node.getName()} ${path}`).setType(type).setArray(values).setBuffer(buffer));
    animation.addSampler(sampler).addChannel(document.createAnimationChannel().setTargetNode(node).setTargetPath(path).setSampler(sampler));
  };
  channel(nodes[0]!, 'translation', 'VEC3', Float32Array.from(clip.rootPositions));
  for (let j = 0; j < JOINT_COUNT; j++) channel(nodes[j]!, 'rotation', 'VEC4', jointRotations(clip, j));
  return document;
}

export async function writeMotionGlb(clip: MotionClip, options: MotionGlbOptions = {}): Promise<Uint8Array> {
  const io = new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR));
  return io.writeBinary(motionDocument(clip, options));
}
