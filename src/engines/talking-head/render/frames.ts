import type { IdleMotion, MouthShape, Point2 } from '../types.ts';
import { blinkRig } from './blink.ts';
import { threadCpuMs } from './cpu-time.ts';
import { faceAxes, type FaceAxes } from './face-axes.ts';
import { idlePoses, type IdlePose } from './idle.ts';
import { fillInnerMouth } from './inner-mouth.ts';
import { buildWarpMesh, FACE_POINTS, MOUTH_GAP_UPPER, type WarpMesh } from './mesh.ts';
import { applyMouth, lipGap, mouthAmounts, mouthRig, type MouthRig } from './mouth.ts';
import { warpTriangles } from './warp.ts';

/**
 * Everything a worker needs to draw frames of the animated patch: plain data (typed arrays
 * and numbers), so it crosses to a worker thread by structured clone.
 */
export interface FrameJob {
  /** The still patch, RGB, width × height. */
  readonly patch: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** The patch's top-left corner in the portrait, pixels. */
  readonly originX: number;
  readonly originY: number;
  /** The 468 landmarks, x, y each, in portrait pixels. */
  readonly points: Float64Array;
  /** The canonical face triangulation (three indices per triangle). */
  readonly triangles: Uint32Array;
  /** open, width, round per frame. */
  readonly mouth: Float32Array;
  readonly fps: number;
  readonly idle: IdleMotion;
  readonly seed: number;
}

/** The lip gap (in mouth widths) at which the cavity is fully painted; below it, it fades in. */
const CAVITY_FULL_AT = 0.05;
/** The opening at which teeth start to show, and show fully. */
const TEETH_FROM = 0.15;
const TEETH_FULL = 0.45;
/** The head turns about a point below the chin (the neck), this many face heights under it. */
const PIVOT_BELOW_CHIN = 0.35;
const CHIN = 152;
/**
 * A portrait whose lips are already apart shows its own teeth, which part with the lips
 * (see WarpMesh): painted teeth fade out as that gap, in mouth widths, reaches this.
 */
const OWN_TEETH_AT = 0.17;

interface Rig {
  readonly mesh: WarpMesh;
  readonly axes: FaceAxes;
  readonly mouth: MouthRig;
  readonly blink: Float32Array;
  /** How much each face point follows a head turn: more at the nose than at the ears (parallax). */
  readonly turnWeight: Float32Array;
  readonly poses: readonly IdlePose[];
  /** 0..1: how much painted teeth the portrait needs (less when its own show). */
  readonly paintedTeeth: number;
}

function buildRig(job: FrameJob): Rig {
  const points: Point2[] = [];
  for (let i = 0; i < FACE_POINTS; i++) points.push([job.points[2 * i]!, job.points[2 * i + 1]!]);
  const region = { x: job.originX, y: job.originY, width: job.width, height: job.height };
  const mesh = buildWarpMesh(points, job.triangles, region);
  const axes = faceAxes(points);
  const turnWeight = new Float32Array(FACE_POINTS);
  for (let i = 0; i < FACE_POINTS; i++) {
    const a = (points[i]![0] - axes.mouthX) * axes.ux + (points[i]![1] - axes.mouthY) * axes.uy;
    turnWeight[i] = 0.6 + 0.4 * Math.max(0, 1 - (a / axes.halfFaceWidth) ** 2);
  }
  const lipsApart = Math.hypot(points[14]![0] - points[13]![0], points[14]![1] - points[13]![1]) / axes.mouthWidth;
  return {
    paintedTeeth: Math.max(0, 1 - lipsApart / OWN_TEETH_AT),
    mesh,
    axes,
    mouth: mouthRig(mesh.rest, FACE_POINTS, axes, job.originX, job.originY),
    blink: blinkRig(mesh.rest, FACE_POINTS),
    turnWeight,
    poses: idlePoses(job.idle, job.seed, job.mouth.length / 3, job.fps),
  };
}

export interface FrameBatch {
  /** `count` RGB frames of the patch, one after the other. */
  readonly frames: Uint8Array;
  /** CPU milliseconds spent drawing them (wall milliseconds where the thread's CPU time cannot be read). */
  readonly ms: number;
}

/** Draws frames `from` .. `from + count - 1` of the job (a worker-pool task). */
export function renderFrameBatch(job: FrameJob, from: number, count: number): FrameBatch {
  const started = performance.now();
  const cpuStarted = threadCpuMs();
  const rig = buildRig(job);
  const frameBytes = job.width * job.height * 3;
  const frames = new Uint8Array(frameBytes * count);
  const moved = new Float64Array(rig.mesh.rest.length);
  const contour = new Float64Array(rig.mesh.mouthGap.length * 2);
  const source = { width: job.width, height: job.height, pixels: job.patch };
  for (let f = 0; f < count; f++) {
    const index = from + f;
    const shape: MouthShape = { open: job.mouth[3 * index] ?? 0, width: job.mouth[3 * index + 1] ?? 0, round: job.mouth[3 * index + 2] ?? 0 };
    const pose = rig.poses[index] ?? { blink: 0, roll: 0, turn: 0, nod: 0 };
    const amounts = mouthAmounts(shape, rig.axes.mouthWidth);
    framePositions(rig, amounts, pose, moved);
    const target = frames.subarray(f * frameBytes, (f + 1) * frameBytes);
    target.set(job.patch);
    warpTriangles(source, target, rig.mesh.rest, moved, rig.mesh.triangles);
    const gap = lipGap(amounts) / rig.axes.mouthWidth;
    if (gap > 0) {
      rig.mesh.mouthGap.forEach((point, k) => {
        contour[2 * k] = moved[2 * point]!;
        contour[2 * k + 1] = moved[2 * point + 1]!;
      });
      const teeth = rig.paintedTeeth * Math.min(1, Math.max(0, (shape.open - TEETH_FROM) / (TEETH_FULL - TEETH_FROM)));
      fillInnerMouth(target, job.width, job.height, { contour, upperCount: MOUTH_GAP_UPPER, opacity: Math.min(1, gap / CAVITY_FULL_AT), teeth }, rig.axes);
    }
  }
  const cpuEnded = threadCpuMs();
  return { frames, ms: cpuStarted === undefined || cpuEnded === undefined ? performance.now() - started : cpuEnded - cpuStarted };
}

/** The mesh's vertices in one frame: mouth, then blink, then head motion; the rings follow. */
function framePositions(rig: Rig, amounts: ReturnType<typeof mouthAmounts>, pose: IdlePose, moved: Float64Array): void {
  const { mesh, axes } = rig;
  moved.set(mesh.rest);
  applyMouth(moved, rig.mouth, amounts, axes);
  if (pose.blink > 0) {
    for (let i = 0; i < FACE_POINTS * 2; i++) moved[i] = moved[i]! + rig.blink[i]! * pose.blink;
  }
  if (pose.roll !== 0 || pose.turn !== 0 || pose.nod !== 0) {
    const cos = Math.cos(pose.roll);
    const sin = Math.sin(pose.roll);
    const pivotX = mesh.rest[2 * CHIN]! + axes.dx * axes.faceHeight * PIVOT_BELOW_CHIN;
    const pivotY = mesh.rest[2 * CHIN + 1]! + axes.dy * axes.faceHeight * PIVOT_BELOW_CHIN;
    const nod = pose.nod * axes.faceHeight;
    for (let i = 0; i < FACE_POINTS; i++) {
      const rx = moved[2 * i]! - pivotX;
      const ry = moved[2 * i + 1]! - pivotY;
      const turn = pose.turn * axes.faceHeight * rig.turnWeight[i]!;
      moved[2 * i] = pivotX + rx * cos - ry * sin + turn * axes.ux + nod * axes.dx;
      moved[2 * i + 1] = pivotY + rx * sin + ry * cos + turn * axes.uy + nod * axes.dy;
    }
  }
  const { vertex, parent, share } = mesh.followers;
  for (let k = 0; k < vertex.length; k++) {
    const v = vertex[k]!;
    const p = parent[k]!;
    moved[2 * v] = mesh.rest[2 * v]! + share[k]! * (moved[2 * p]! - mesh.rest[2 * p]!);
    moved[2 * v + 1] = mesh.rest[2 * v + 1]! + share[k]! * (moved[2 * p + 1]! - mesh.rest[2 * p + 1]!);
  }
}
