import { Quaternion } from 'three';
import { type BodyFrame, type BodyState, type FootTarget, FLAT_ANKLE_Y, STANCE_OFFSET } from './body-frame.ts';
import { bump, easeInOut, gaussianSmooth } from './easing.ts';
import { ankleFromToe, toeOf } from './foot-geometry.ts';
import { rotateXZ } from './math.ts';

/**
 * The stepping engine behind walk, jog, run, turn and dance steps. Feet move only as planned
 * footsteps: between steps a foot is planted and does not move at all; during a step it
 * swings from where it was to where it lands (minimum-jerk along the ground, a lift in the
 * middle). The root is then derived from the feet — the mean of the two ankles, smoothed
 * over about a step — so the body travels exactly as far as its feet do and stays centred
 * over its support (root motion from foot contacts, not feet dragged along by the root).
 */
export interface Footstep {
  side: 0 | 1;
  /** Seconds from the action's start. */
  lift: number;
  land: number;
  /** Where the ankle lands (world, on the ground) and the foot's heading. */
  x: number;
  z: number;
  yaw: number;
  /** Peak lift of the ankle, metres. */
  clearance: number;
  /**
   * Heel-off before the lift: over this many seconds the foot rolls onto its toe (which stays
   * put) up to `heelPitch` radians, as a walker's trailing foot does — it lengthens the leg.
   */
  heelRise?: number;
  heelPitch?: number;
}

export function standingFoot(side: 0 | 1, rootX: number, rootZ: number, yaw: number): { x: number; z: number; yaw: number } {
  const [ox, oz] = STANCE_OFFSET[side === 0 ? 'left' : 'right'];
  const [dx, dz] = rotateXZ(ox, oz, yaw);
  return { x: rootX + dx, z: rootZ + dz, yaw };
}

/** Feet of every frame from a footstep plan, starting where the feet are in `start`. */
export function footTrajectories(start: BodyState, steps: readonly Footstep[], frameCount: number, fps: number): Array<[FootTarget, FootTarget]> {
  const bySide = [0, 1].map((side) => steps.filter((s) => s.side === side).sort((a, b) => a.lift - b.lift));
  const out: Array<[FootTarget, FootTarget]> = [];
  for (let f = 0; f < frameCount; f++) {
    const time = f / fps;
    const feet = [0, 1].map((side) => {
      let from = { x: start.feet[side]!.x, z: start.feet[side]!.z, yaw: start.feet[side]!.yaw };
      let fromY = start.feet[side]!.y;
      let fromPitch = start.feet[side]!.pitch;
      for (const step of bySide[side]!) {
        if (time >= step.land) {
          from = { x: step.x, z: step.z, yaw: step.yaw };
          fromY = FLAT_ANKLE_Y;
          fromPitch = 0;
          continue;
        }
        const rise = step.heelRise ?? 0;
        const heelPitch = step.heelPitch ?? 0;
        const rolls = rise > 0 && heelPitch !== 0 && fromPitch === 0 && time > step.lift - rise;
        const toe = rolls ? toeOf({ x: from.x, y: fromY, z: from.z, yaw: from.yaw, pitch: 0, planted: true }) : undefined;
        if (time > step.lift) {
          const lifted = toe !== undefined ? { ...ankleFromToe(toe, from.yaw, heelPitch), pitch: heelPitch } : { x: from.x, y: fromY, z: from.z, pitch: fromPitch };
          const u = (time - step.lift) / (step.land - step.lift);
          const e = easeInOut(u);
          return {
            x: lifted.x + (step.x - lifted.x) * e,
            y: lifted.y + (FLAT_ANKLE_Y - lifted.y) * e + step.clearance * bump(u),
            z: lifted.z + (step.z - lifted.z) * e,
            yaw: from.yaw + (step.yaw - from.yaw) * e,
            pitch: lifted.pitch * (1 - e),
            planted: false,
          };
        }
        if (toe !== undefined && time > step.lift - rise) {
          const pitch = heelPitch * easeInOut((time - (step.lift - rise)) / rise);
          return { ...ankleFromToe(toe, from.yaw, pitch), yaw: from.yaw, pitch, planted: true };
        }
        break;
      }
      return { x: from.x, y: fromY, z: from.z, yaw: from.yaw, pitch: fromPitch, planted: true };
    });
    out.push([feet[0]!, feet[1]!]);
  }
  return out;
}

/**
 * Root position and facing derived from the feet: mean ankle position (plus the standing
 * pose's ankle-to-hips offset) and mean foot heading, Gaussian-smoothed with σ = `sigmaSeconds`,
 * and eased in from the start state's root so consecutive actions join without a jump.
 */
export function rootFromFeet(
  start: BodyState,
  feet: ReadonlyArray<readonly [FootTarget, FootTarget]>,
  fps: number,
  sigmaSeconds: number,
): Array<{ x: number; z: number; yaw: number }> {
  const n = feet.length;
  const xs = new Float64Array(n);
  const zs = new Float64Array(n);
  const yaws = new Float64Array(n);
  for (let f = 0; f < n; f++) {
    const [l, r] = feet[f]!;
    const yaw = (l.yaw + r.yaw) / 2;
    // Ankles sit 2 cm behind the Hips joint when standing (skeleton.ts); undo that offset.
    const [dx, dz] = rotateXZ(0, -STANCE_OFFSET.left[1], yaw);
    xs[f] = (l.x + r.x) / 2 + dx;
    zs[f] = (l.z + r.z) / 2 + dz;
    yaws[f] = yaw;
  }
  const sigma = sigmaSeconds * fps;
  const sx = gaussianSmooth(xs, sigma);
  const sz = gaussianSmooth(zs, sigma);
  const syaw = gaussianSmooth(yaws, sigma);
  const blendFrames = Math.max(1, Math.round(0.3 * fps));
  const ox = start.rootX - (sx[0] ?? start.rootX);
  const oz = start.rootZ - (sz[0] ?? start.rootZ);
  const oyaw = start.yaw - (syaw[0] ?? start.yaw);
  return Array.from({ length: n }, (_, f) => {
    const w = 1 - easeInOut(f / blendFrames);
    return { x: sx[f]! + ox * w, z: sz[f]! + oz * w, yaw: syaw[f]! + oyaw * w };
  });
}

/** Frames for a footstep plan; `body` poses the rest of the body for each frame. */
export function steppingFrames(
  start: BodyState,
  steps: readonly Footstep[],
  frameCount: number,
  fps: number,
  sigmaSeconds: number,
  body: (frame: BodyFrame, time: number) => void,
): BodyFrame[] {
  const feet = footTrajectories(start, steps, frameCount, fps);
  const roots = rootFromFeet(start, feet, fps, sigmaSeconds);
  return feet.map((pair, f) => {
    const root = roots[f]!;
    const frame: BodyFrame = {
      rootX: root.x,
      rootZ: root.z,
      yaw: root.yaw,
      pelvisY: start.pelvisY,
      joints: start.joints.map((q: Quaternion) => q.clone()),
      feet: [pair[0], pair[1]],
    };
    body(frame, f / fps);
    return frame;
  });
}
