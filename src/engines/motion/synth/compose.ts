import { Quaternion, Vector3 } from 'three';
import type { SynthesizedMotion } from '../clip.ts';
import { JOINT_COUNT } from '../skeleton.ts';
import { createRandom } from '../../seeded-random.ts';
import type { ActionContext, ResolvedAction } from './action-context.ts';
import { FULL_BODY_GENERATORS, UPPER_BODY_GESTURES } from './actions/registry.ts';
import { relaxedArms } from './arms.ts';
import { type BodyFrame, type BodyState, cloneFrame, type FootTarget, restJoints, STANDING_PELVIS_Y } from './body-frame.ts';
import { easeInOut, envelope, smoothBelow } from './easing.ts';
import { standingFoot } from './footsteps.ts';
import { reachWithArm } from './arm-ik.ts';
import { newPoseBuffers, poseWorld } from './forward-kinematics.ts';
import { clampJoint, limitWarning } from './joint-limits.ts';
import { highestReachablePelvis, solveLegs } from './leg-ik.ts';
import { Y_AXIS } from './math.ts';
import { parsePlan, resolveTimeline } from './timeline.ts';

/** Which foot each leg joint belongs to. */
const LEG_SIDE: Readonly<Record<number, 0 | 1>> = { 1: 0, 4: 0, 7: 0, 10: 0, 2: 1, 5: 1, 8: 1, 11: 1 };

/** Seconds over which one full-body action's pose is blended into the next's. */
const BLEND_SECONDS = 0.2;
/** Seconds an upper-body gesture takes to fade in and out over the legs' action. */
const LAYER_FADE = 0.3;

export function standingState(): BodyState {
  const joints = restJoints();
  relaxedArms(joints);
  const foot = (side: 0 | 1) => ({ ...standingFoot(side, 0, 0, 0), y: 0.07, pitch: 0, planted: true });
  return { rootX: 0, rootZ: 0, yaw: 0, pelvisY: STANDING_PELVIS_Y, joints, feet: [foot(0), foot(1)] };
}

function blendInto(frames: BodyFrame[], from: BodyState, blendFrames: number): void {
  for (let f = 0; f < Math.min(blendFrames, frames.length); f++) {
    const w = easeInOut((f + 1) / (blendFrames + 1));
    const frame = frames[f]!;
    for (let j = 0; j < JOINT_COUNT; j++) frame.joints[j] = from.joints[j]!.clone().slerp(frame.joints[j]!, w);
    frame.pelvisY = from.pelvisY + (frame.pelvisY - from.pelvisY) * w;
  }
}

/**
 * The body frames of the whole clip, packed: per-frame objects exist only while one action is
 * generated and layered, so a minute of motion does not keep ~10⁵ quaternions alive.
 */
interface PackedFrames {
  count: number;
  rootX: Float64Array;
  rootZ: Float64Array;
  yaw: Float64Array;
  pelvisY: Float64Array;
  /** count × 22 × 4; joint 0 holds the hips' rotation relative to the facing. */
  joints: Float32Array;
  feet: Array<[FootTarget, FootTarget]>;
  hands: Array<BodyFrame['hands']>;
}

function packFrames(count: number): PackedFrames {
  return {
    count,
    rootX: new Float64Array(count),
    rootZ: new Float64Array(count),
    yaw: new Float64Array(count),
    pelvisY: new Float64Array(count),
    joints: new Float32Array(count * JOINT_COUNT * 4),
    feet: new Array<[FootTarget, FootTarget]>(count),
    hands: new Array<BodyFrame['hands']>(count),
  };
}

function storeFrame(packed: PackedFrames, f: number, frame: BodyFrame): void {
  packed.rootX[f] = frame.rootX;
  packed.rootZ[f] = frame.rootZ;
  packed.yaw[f] = frame.yaw;
  packed.pelvisY[f] = frame.pelvisY;
  for (let j = 0; j < JOINT_COUNT; j++) frame.joints[j]!.toArray(packed.joints, (f * JOINT_COUNT + j) * 4);
  packed.feet[f] = frame.feet;
  packed.hands[f] = frame.hands;
}

export function synthesize(input: unknown, fps: number, seed: number): SynthesizedMotion {
  const warnings: string[] = [];
  const plan = parsePlan(input);
  const { actions, duration } = resolveTimeline(plan, warnings);
  const frameCount = Math.round(duration * fps) + 1;
  const random = createRandom(seed).next;
  const layerRandom = createRandom((seed ^ 0x9e3779b9) >>> 0).next;
  const layers = actions.filter((a) => a.layer === 'upper').map((layer) => ({ layer, variation: 1 + (layerRandom() - 0.5) * 0.08 }));
  const packed = packFrames(frameCount);
  let state: BodyState | undefined;
  let offset = 0;
  const full = actions.filter((a) => a.layer === 'full');
  for (const [i, action] of full.entries()) {
    const first = Math.round(action.start * fps);
    const last = i === full.length - 1 ? frameCount : Math.round((action.start + action.duration) * fps);
    if (last <= first) continue;
    const start = state ?? standingState();
    const context: ActionContext = { action, start, frameCount: Math.min(last, frameCount) - offset, fps, variation: 1 + (random() - 0.5) * 0.08, random, warnings };
    const generate = FULL_BODY_GENERATORS[action.action] ?? FULL_BODY_GENERATORS.idle;
    const generated = generate(context);
    if (state !== undefined) blendInto(generated, state, Math.round(BLEND_SECONDS * fps));
    // The next action starts from this one's own last pose, not from a gesture layered over it.
    state = cloneFrame(generated[generated.length - 1]!);
    applyLayers(generated, offset, layers, fps);
    for (const [k, frame] of generated.entries()) storeFrame(packed, offset + k, frame);
    offset += generated.length;
  }
  const clip = solveClip(packed, fps, warnings);
  return {
    clip,
    plan,
    timeline: actions.map((a) => ({ action: a.action, start: a.start, duration: a.duration, layer: a.layer })),
    warnings,
  };
}

/** Blends each upper-body gesture over the frames `offset …` of one full-body action. */
function applyLayers(frames: BodyFrame[], offset: number, layers: ReadonlyArray<{ layer: ResolvedAction; variation: number }>, fps: number): void {
  for (const { layer, variation } of layers) {
    const gesture = UPPER_BODY_GESTURES[layer.action];
    if (gesture === undefined) continue;
    const first = Math.max(offset, Math.round(layer.start * fps));
    const last = Math.min(offset + frames.length, Math.round((layer.start + layer.duration) * fps) + 1);
    for (let f = first; f < last; f++) {
      const time = f / fps - layer.start;
      const weight = envelope(time, layer.duration, LAYER_FADE, LAYER_FADE);
      if (weight <= 0) continue;
      const frame = frames[f - offset]!;
      const posed = frame.joints.map((q) => q.clone());
      gesture(posed, time, layer.duration, layer.params, variation);
      for (let j = 1; j < JOINT_COUNT; j++) frame.joints[j]!.slerp(posed[j]!, weight);
    }
  }
}

/** Pelvis height, leg IK and joint limits for every frame; packs the clip's arrays. */
function solveClip(packed: PackedFrames, fps: number, warnings: string[]) {
  const n = packed.count;
  const heights = new Float64Array(n);
  const root = new Vector3();
  const rootRotation = new Quaternion();
  const tilt = new Quaternion();
  const rotationAt = (f: number) => rootRotation.setFromAxisAngle(Y_AXIS, packed.yaw[f]!).multiply(tilt.fromArray(packed.joints, f * JOINT_COUNT * 4));
  for (let f = 0; f < n; f++) {
    root.set(packed.rootX[f]!, packed.pelvisY[f]!, packed.rootZ[f]!);
    heights[f] = Math.min(packed.pelvisY[f]!, highestReachablePelvis(root, rotationAt(f), packed.feet[f]!));
  }
  const pelvis = smoothBelow(heights, Math.max(1, Math.round(0.1 * fps)));
  const rootPositions = new Float32Array(n * 3);
  const rotations = new Float32Array(n * JOINT_COUNT * 4);
  const contacts = new Uint8Array(n * 2);
  const clamped = new Map<number, number>();
  let unreachable = 0;
  const local: Quaternion[] = Array.from({ length: JOINT_COUNT }, () => new Quaternion());
  const probe = new Quaternion();
  const world = newPoseBuffers();
  for (let f = 0; f < n; f++) {
    const feet = packed.feet[f]!;
    root.set(packed.rootX[f]!, pelvis[f]!, packed.rootZ[f]!);
    for (let j = 1; j < JOINT_COUNT; j++) local[j]!.fromArray(packed.joints, (f * JOINT_COUNT + j) * 4);
    local[0]!.copy(rotationAt(f));
    if (solveLegs(root, local[0]!, feet, local) > 1e-3) unreachable++;
    const hands = packed.hands[f];
    if (hands !== undefined) {
      poseWorld(root, local, world.positions, world.rotations);
      const facing = new Vector3(Math.sin(packed.yaw[f]!), 0, Math.cos(packed.yaw[f]!));
      for (const side of [0, 1] as const) {
        const target = hands[side];
        if (target !== undefined && target.weight > 0) reachWithArm(side, target, world.positions, world.rotations, local, facing);
      }
    }
    for (let j = 1; j < JOINT_COUNT; j++) {
      // A leg's pose is fixed by where its foot must be: clamping it would drag the foot off its
      // target (through the floor, or sliding), so leg limits are only reported.
      const isLeg = LEG_SIDE[j] !== undefined;
      if (clampJoint(j, isLeg ? probe.copy(local[j]!) : local[j]!)) clamped.set(j, (clamped.get(j) ?? 0) + 1);
    }
    root.toArray(rootPositions, f * 3);
    for (let j = 0; j < JOINT_COUNT; j++) local[j]!.normalize().toArray(rotations, (f * JOINT_COUNT + j) * 4);
    contacts[f * 2] = feet[0].planted ? 1 : 0;
    contacts[f * 2 + 1] = feet[1].planted ? 1 : 0;
  }
  for (const [joint, count] of clamped) warnings.push(limitWarning(joint, count, LEG_SIDE[joint] === undefined));
  if (unreachable > 0) warnings.push(`a planted foot was out of the leg's reach on ${unreachable} frame(s)`);
  return { fps, frameCount: n, rootPositions, rotations, contacts };
}
