import { Vector3 } from 'three';
import { ShenbiError } from '../../../../core/errors.ts';
import type { ActionParams } from '../../action-plan.ts';
import type { ActionContext } from '../action-context.ts';
import type { HandTarget } from '../arm-ik.ts';
import { type Direction, mirror, mixDirection, poseArm, RELAXED_FORE, RELAXED_UPPER } from '../arms.ts';
import { type BodyFrame, cloneFrame, FLAT_ANKLE_Y, STANDING_PELVIS_Y } from '../body-frame.ts';
import { bump, easeInOut } from '../easing.ts';
import { ankleFromToe, GROUND_TOE_Y, toeOf } from '../foot-geometry.ts';
import { footTrajectories, standingFoot } from '../footsteps.ts';
import { inPlace } from './hold.ts';
import { clamp, rotateXZ, rotX } from '../math.ts';

/**
 * Postures: sitting down onto an (invisible) seat, standing up, kneeling on one knee, bowing
 * and picking something up. The feet stay planted and the legs follow by IK as the pelvis
 * travels; the trunk leans forward to keep the weight over the feet while the hips move.
 */
const windowEase = (u: number, a: number, b: number) => easeInOut((u - a) / (b - a));

function setTrunk(frame: BodyFrame, lean: number): void {
  frame.joints[0] = rotX(lean * 0.55);
  frame.joints[3] = rotX(lean * 0.25);
  frame.joints[6] = rotX(lean * 0.2);
  frame.joints[12] = rotX(-lean * 0.35);
}

function setArms(frame: BodyFrame, upper: Direction, fore: Direction): void {
  poseArm(frame.joints, 'left', upper, fore);
  poseArm(frame.joints, 'right', mirror(upper), mirror(fore));
}

const REACH_UPPER: Direction = [0.2, -0.25, 1];
const REACH_FORE: Direction = [0.1, -0.1, 1];
const LAP_UPPER: Direction = [0.15, -1, 0.25];
const LAP_FORE: Direction = [0.05, -0.2, 1];

export function seatHeight(params: ActionParams): number {
  const seat = params.height ?? 0.45;
  if (seat < 0.2 || seat > 0.75) throw new ShenbiError('INVALID_INPUT', `a ${seat} m seat is outside what a person sits on from standing (0.2–0.75 m)`, { details: { action: 'sit_down', height: seat } });
  return seat;
}

/** Pelvis height seated on a seat of this height: the Hips joint sits ~8 cm above the seat. */
export const seatedPelvis = (seat: number) => seat + 0.08;

export function sitDown(context: ActionContext): BodyFrame[] {
  const { start, action } = context;
  const seat = seatHeight(action.params);
  const pelvisEnd = seatedPelvis(seat);
  // Hips go back until the thigh reaches from the seat to a knee above the ankle.
  const kneeY = FLAT_ANKLE_Y + 0.39;
  const drop = clamp(kneeY - (pelvisEnd - 0.09), -0.38, 0.38);
  const back = 0.9 * Math.sqrt(0.16 - drop * drop);
  return inPlace(context, (frame, _t, u) => {
    const descend = windowEase(u, 0.12, 0.85);
    const [dx, dz] = rotateXZ(0, -back * windowEase(u, 0.08, 0.75), start.yaw);
    frame.rootX = start.rootX + dx;
    frame.rootZ = start.rootZ + dz;
    frame.pelvisY = STANDING_PELVIS_Y + (pelvisEnd - STANDING_PELVIS_Y) * descend;
    const lean = 0.75 * bump(clamp((u - 0.05) / 0.85, 0, 1)) + 0.12 * windowEase(u, 0.6, 1);
    setTrunk(frame, lean);
    const arms = bump(clamp((u - 0.1) / 0.75, 0, 1));
    const settled = windowEase(u, 0.7, 1);
    setArms(frame, mixDirection(mixDirection(RELAXED_UPPER, REACH_UPPER, arms), LAP_UPPER, settled), mixDirection(mixDirection(RELAXED_FORE, REACH_FORE, arms), LAP_FORE, settled));
  });
}

export function standUp(context: ActionContext): BodyFrame[] {
  const { start, frameCount, fps } = context;
  const yaw = start.yaw;
  // Stand over the foot that is further forward; the other steps up beside it if it is elsewhere.
  const along = (side: 0 | 1) => rotateXZ(start.feet[side].x, start.feet[side].z, -yaw)[1];
  const anchor: 0 | 1 = along(0) >= along(1) ? 0 : 1;
  const other = (1 - anchor) as 0 | 1;
  const standingRoot = (() => {
    const spot = standingFoot(anchor, 0, 0, yaw);
    return { x: start.feet[anchor].x - spot.x, z: start.feet[anchor].z - spot.z };
  })();
  const target = standingFoot(other, standingRoot.x, standingRoot.z, yaw);
  const otherFoot = start.feet[other];
  const needsStep = Math.hypot(otherFoot.x - target.x, otherFoot.z - target.z) > 0.03 || Math.abs(otherFoot.pitch) > 0.01;
  const duration = (frameCount - 1) / fps;
  const toes = [toeOf(start.feet[0]), toeOf(start.feet[1])];
  // A foot standing on its toe first rolls back down onto its sole (the toe stays put), then steps.
  const unrollEnd = 0.35 * duration;
  const stepFeet = needsStep
    ? footTrajectories(
        { ...start, feet: [{ ...start.feet[0], pitch: 0, y: FLAT_ANKLE_Y, ...flatOnToe(start.feet[0], toes[0]!) }, { ...start.feet[1], pitch: 0, y: FLAT_ANKLE_Y, ...flatOnToe(start.feet[1], toes[1]!) }]},
        [{ side: other, lift: 0.45 * duration, land: 0.75 * duration, x: target.x, z: target.z, yaw, clearance: 0.08 }],
        frameCount,
        fps,
      )
    : undefined;
  const seatedLike = start.pelvisY < STANDING_PELVIS_Y - 0.1;
  return inPlace(context, (frame, t, u) => {
    const rise = windowEase(u, 0.15, 0.85);
    frame.rootX = start.rootX + (standingRoot.x - start.rootX) * windowEase(u, 0.05, 0.7);
    frame.rootZ = start.rootZ + (standingRoot.z - start.rootZ) * windowEase(u, 0.05, 0.7);
    frame.pelvisY = start.pelvisY + (STANDING_PELVIS_Y - start.pelvisY) * rise;
    setTrunk(frame, (seatedLike ? 0.75 : 0.35) * bump(clamp(u / 0.85, 0, 1)));
    const arms = seatedLike ? bump(clamp(u / 0.8, 0, 1)) : 0;
    setArms(frame, mixDirection(RELAXED_UPPER, REACH_UPPER, arms * 0.7), mixDirection(RELAXED_FORE, REACH_FORE, arms * 0.7));
    for (const side of [0, 1] as const) {
      const foot = start.feet[side];
      if (stepFeet !== undefined && t >= unrollEnd) {
        frame.feet[side] = stepFeet[Math.round(t * fps)]![side];
      } else if (Math.abs(foot.pitch) > 0.01) {
        const pitch = foot.pitch * (1 - easeInOut(t / unrollEnd));
        frame.feet[side] = { ...foot, ...ankleFromToe(toes[side]!, foot.yaw, pitch), pitch, planted: true };
      }
    }
  });
}

/** Ankle position of a foot lowered flat onto its sole about its planted toe. */
function flatOnToe(foot: { yaw: number }, toe: Vector3): { x: number; z: number } {
  const a = ankleFromToe(new Vector3(toe.x, GROUND_TOE_Y, toe.z), foot.yaw, 0);
  return { x: a.x, z: a.z };
}

/** Rear foot's final pitch when kneeling: up on the toes, tucked under (see docs in kneel). */
const KNEEL_TOE_PITCH = 2;

export function kneel(context: ActionContext): BodyFrame[] {
  const { start, frameCount, fps } = context;
  const yaw = start.yaw;
  const rear: 0 | 1 = context.action.params.hand === 'left' ? 0 : 1;
  const duration = (frameCount - 1) / fps;
  // Final layout along the heading, relative to the starting root: hips 0.36 m back over the
  // rear knee; the rear shin lies back along the ground with the foot up on its toes.
  const rootBack = 0.36;
  const toeFinal = ankleFromToe(new Vector3(0, GROUND_TOE_Y, 0), 0, KNEEL_TOE_PITCH);
  const toeAlong = -rootBack - 0.37 - toeFinal.z;
  const rearSpot = standingFoot(rear, start.rootX, start.rootZ, yaw);
  const [tx, tz] = rotateXZ(0, toeAlong, yaw);
  const toe = new Vector3(rearSpot.x + tx, GROUND_TOE_Y, rearSpot.z + tz);
  const landing = ankleFromToe(toe, yaw, 0);
  const stepFeet = footTrajectories(start, [{ side: rear, lift: 0.08 * duration, land: 0.42 * duration, x: landing.x, z: landing.z, yaw, clearance: 0.06 }], frameCount, fps);
  return inPlace(context, (frame, t, u) => {
    const [dx, dz] = rotateXZ(0, -rootBack * windowEase(u, 0, 0.5), yaw);
    frame.rootX = start.rootX + dx;
    frame.rootZ = start.rootZ + dz;
    frame.pelvisY = STANDING_PELVIS_Y + (0.56 - STANDING_PELVIS_Y) * windowEase(u, 0.15, 0.95);
    setTrunk(frame, 0.3 * bump(clamp((u - 0.2) / 0.8, 0, 1)));
    const feet = stepFeet[Math.round(t * fps)]!;
    frame.feet[1 - rear] = feet[1 - rear]!;
    if (u < 0.45) frame.feet[rear] = feet[rear]!;
    else {
      const pitch = KNEEL_TOE_PITCH * windowEase(u, 0.45, 0.95);
      frame.feet[rear] = { ...feet[rear]!, ...ankleFromToe(toe, yaw, pitch), pitch, planted: true };
    }
  });
}

export function bow(context: ActionContext): BodyFrame[] {
  const { start, action, variation } = context;
  const depth = (0.45 + 0.75 * (action.params.intensity ?? 0.5)) * variation;
  const count = action.params.count ?? 1;
  return inPlace(context, (frame, _t, u) => {
    const k = Math.min(count - 1, Math.floor(u * count));
    const local = u * count - k;
    const amount = local < 0.4 ? easeInOut(local / 0.4) : local < 0.6 ? 1 : easeInOut((1 - local) / 0.4);
    const bend = depth * amount;
    // Hips shift back as the trunk tips forward, keeping the weight over the feet.
    const [dx, dz] = rotateXZ(0, -0.08 * bend, start.yaw);
    frame.rootX = start.rootX + dx;
    frame.rootZ = start.rootZ + dz;
    frame.joints[0] = rotX(bend * 0.45);
    frame.joints[3] = rotX(bend * 0.3);
    frame.joints[6] = rotX(bend * 0.2);
    frame.joints[12] = rotX(bend * 0.1);
    // Arms hang straight down in the world: undo the trunk's pitch.
    const hang: Direction = [0.08, -Math.cos(bend * 0.95), Math.sin(bend * 0.95)];
    setArms(frame, mixDirection(RELAXED_UPPER, hang, amount), mixDirection(RELAXED_FORE, hang, amount));
  });
}

export function pickUp(context: ActionContext): BodyFrame[] {
  const { start } = context;
  return inPlace(context, (frame, _t, u) => {
    const down = u < 0.4 ? easeInOut(u / 0.4) : u < 0.55 ? 1 : easeInOut((1 - u) / 0.45);
    const [dx, dz] = rotateXZ(0, -0.2 * down, start.yaw);
    frame.rootX = start.rootX + dx;
    frame.rootZ = start.rootZ + dz;
    frame.pelvisY = STANDING_PELVIS_Y - 0.46 * down;
    const pitch = 1.4 * down;
    frame.joints[0] = rotX(pitch * 0.35);
    frame.joints[3] = rotX(pitch * 0.35);
    frame.joints[6] = rotX(pitch * 0.3);
    frame.joints[12] = rotX(-0.55 * down);
    // Reach for the floor in front of the feet, then carry the thing up to the chest.
    const reach = new Vector3(0.12, -0.85, 0.5).normalize().applyQuaternion(rotX(-pitch * 0.95));
    const holding = u > 0.55 ? easeInOut((u - 0.55) / 0.3) : 0;
    const reachDir: Direction = [reach.x, reach.y, reach.z];
    const upper = mixDirection(mixDirection(RELAXED_UPPER, reachDir, down), [0.25, -0.8, 0.45], holding * (1 - down));
    const fore = mixDirection(mixDirection(RELAXED_FORE, reachDir, down), [-0.35, 0.3, 0.85], holding * (1 - down));
    setArms(frame, upper, fore);
    // The hands close on a thing lying on the floor in front of the feet (arm IK, after the legs).
    const reachWeight = u < 0.55 ? easeInOut(clamp((down - 0.5) / 0.5, 0, 1)) : easeInOut(clamp((down - 0.6) / 0.4, 0, 1));
    if (reachWeight > 0) {
      frame.hands = [0, 1].map((side) => {
        const [ox, oz] = rotateXZ(side === 0 ? PICK_HALF_WIDTH : -PICK_HALF_WIDTH, PICK_AHEAD, start.yaw);
        return { x: start.rootX + ox, y: PICK_HEIGHT, z: start.rootZ + oz, weight: reachWeight };
      }) as [HandTarget, HandTarget];
    }
  });
}

/** Where pick_up's wrists close, relative to the standing root: on the sides of a ~25 cm box on the floor just ahead of the toes. */
export const PICK_AHEAD = 0.28;
export const PICK_HALF_WIDTH = 0.13;
export const PICK_HEIGHT = 0.18;
