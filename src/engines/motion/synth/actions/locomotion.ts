import { Vector3 } from 'three';
import type { ActionName, ActionParams } from '../../action-plan.ts';
import { ShenbiError } from '../../../../core/errors.ts';
import type { ActionContext } from '../action-context.ts';
import { poseArm, mirror } from '../arms.ts';
import { type BodyFrame, STANDING_PELVIS_Y } from '../body-frame.ts';
import { envelope } from '../easing.ts';
import { type Footstep, standingFoot, steppingFrames } from '../footsteps.ts';
import { DEG, rotX, rotY, rotateXZ } from '../math.ts';

/**
 * Walk, jog, run and turn-in-place as footstep plans. A gait is a step length and a duty
 * factor (the share of a stride each foot bears weight: above ½ walking has double support,
 * below ½ running has a flight phase) chosen from the speed; the step period is step length
 * over speed.
 */
export type Gait = 'walk' | 'jog' | 'run';
interface GaitSpec {
  defaultSpeed: number;
  /** Fastest a person does this gait, m/s (faster is refused). */
  maxSpeed: number;
  stepLength: (speed: number) => number;
  duty: number;
  clearance: number;
  lean: number;
  pelvisDrop: number;
  /** How far the trailing foot rolls onto its toe before lifting, radians. */
  heelPitch: number;
}
export const GAITS: Readonly<Record<Gait, GaitSpec>> = {
  // Race walkers reach ~4 m/s, but ordinary walking turns into running above ~2.5 m/s.
  walk: { defaultSpeed: 1.3, maxSpeed: 2.5, stepLength: (v) => 0.45 + 0.15 * v, duty: 0.58, clearance: 0.06, lean: 3 * DEG, pelvisDrop: 0.01, heelPitch: 30 * DEG },
  jog: { defaultSpeed: 2.6, maxSpeed: 4.5, stepLength: (v) => 0.5 + 0.2 * v, duty: 0.36, clearance: 0.1, lean: 7 * DEG, pelvisDrop: 0.04, heelPitch: 35 * DEG },
  // Elite sprinters peak near 12 m/s; the plan schema caps speed at MOTION_LIMITS.maxSpeed.
  run: { defaultSpeed: 4, maxSpeed: 12, stepLength: (v) => 0.6 + 0.2 * v, duty: 0.28, clearance: 0.14, lean: 11 * DEG, pelvisDrop: 0.06, heelPitch: 40 * DEG },
};

const LEAD_IN = 0.2;
const SETTLE = 0.4;
const TURN_STEP = 0.42;
const TURN_SWING = 0.34;
const TURN_INCREMENT = 50 * DEG;

/** Degrees to turn before travelling, from `direction` (walk) or `angle`/`direction` (turn). */
export function headingChange(action: ActionName, params: ActionParams): number {
  if (action === 'turn') {
    if (params.angle !== undefined) return params.angle;
    const d = params.direction;
    if (d === undefined || d === 'left') return 90;
    if (d === 'right') return -90;
    if (d === 'backward') return 180;
    if (d === 'forward') return 0;
    return d;
  }
  const d = params.direction;
  if (d === 'left') return 90;
  if (d === 'right') return -90;
  if (typeof d === 'number') return d;
  return 0;
}

export function turnDuration(degrees: number): number {
  const increments = Math.ceil(Math.abs(degrees * DEG) / TURN_INCREMENT - 1e-9);
  return increments === 0 ? 0 : LEAD_IN + (2 * increments - 1) * TURN_STEP + TURN_SWING + SETTLE;
}

interface GaitPlan {
  gait: GaitSpec;
  distance: number;
  steps: number;
  stepLength: number;
  /** Each step's length as a share of stepLength. */
  stepShares: number[];
  period: number;
  swing: number;
  duration: number;
  turn: number;
}

/** Resolves a locomotion action's distance, speed and timing; refuses what a person cannot do. */
export function planGait(action: Gait, params: ActionParams, duration: number | undefined): GaitPlan {
  const gait = GAITS[action];
  const turn = headingChange(action, params);
  const turnTime = turnDuration(turn);
  if (params.speed !== undefined && params.speed > gait.maxSpeed) {
    throw new ShenbiError('INVALID_INPUT', `${action} at ${params.speed} m/s is faster than a person can ${action} (at most ${gait.maxSpeed} m/s)`, {
      details: { action, speed: params.speed, maxSpeed: gait.maxSpeed },
      hint: action === 'run' ? undefined : 'use run for faster movement',
    });
  }
  const speed = params.speed ?? gait.defaultSpeed;
  const nominal = gait.stepLength(speed);
  let distance: number;
  if (params.distance !== undefined) distance = params.distance;
  else if (params.count !== undefined) distance = params.count * nominal;
  else if (duration !== undefined) distance = Math.max(0, speed * (duration - turnTime - LEAD_IN - SETTLE));
  else distance = action === 'walk' ? 2 : 5;
  if (distance <= 0) throw new ShenbiError('INVALID_INPUT', `${action} has no distance to cover: give a distance, a step count or a duration`, { details: { action } });
  // Step lengths ramp up from standing and back down to a stop (a runner needs a few steps to reach speed).
  const ramp = gait.duty < 0.5 ? (gait.duty < 0.3 ? [0.45, 0.7, 0.9] : [0.6, 0.85]) : [0.85];
  const shares = (count: number) => Array.from({ length: count }, (_, k) => Math.min(1, ramp[k] ?? 1, ramp[count - 1 - k] ?? 1));
  let steps = Math.max(1, params.count ?? 1);
  if (params.count === undefined) while (shares(steps).reduce((a, b) => a + b, 0) < distance / nominal - 0.25) steps++;
  const stepShares = shares(steps);
  const stepLength = distance / stepShares.reduce((a, b) => a + b, 0);
  const swingShare = (1 - gait.duty) * 2;
  let period = stepLength / speed;
  if (duration !== undefined) {
    const moving = duration - turnTime - LEAD_IN - SETTLE;
    const fitted = moving / (steps + swingShare);
    const impliedSpeed = fitted > 0 ? stepLength / fitted : Infinity;
    if (impliedSpeed > gait.maxSpeed) {
      throw new ShenbiError('INVALID_INPUT', `${action} ${distance.toFixed(2)} m in ${duration} s needs ${impliedSpeed === Infinity ? 'infinite' : impliedSpeed.toFixed(1)} m/s; a person can ${action} at most ${gait.maxSpeed} m/s`, {
        details: { action, distance, duration, maxSpeed: gait.maxSpeed },
      });
    }
    // Very slow requests keep a natural cadence and stand still for the rest.
    period = Math.min(fitted, 1.2);
  }
  const swing = swingShare * period;
  const natural = turnTime + LEAD_IN + steps * period + swing + SETTLE;
  return { gait, distance, steps, stepLength, stepShares, period, swing, duration: duration ?? natural, turn };
}

/** Footsteps turning in place about the root by `degrees`, stepping first with the foot on the turning side. */
function turnSteps(rootX: number, rootZ: number, yaw0: number, degrees: number, startTime: number): { steps: Footstep[]; end: number } {
  const increments = Math.ceil(Math.abs(degrees * DEG) / TURN_INCREMENT - 1e-9);
  const steps: Footstep[] = [];
  const lead: 0 | 1 = degrees >= 0 ? 0 : 1;
  let time = startTime + LEAD_IN;
  for (let i = 0; i < increments; i++) {
    const yaw = yaw0 + (degrees * DEG * (i + 1)) / increments;
    for (const side of [lead, (1 - lead) as 0 | 1]) {
      const at = standingFoot(side, rootX, rootZ, yaw);
      steps.push({ side, lift: time, land: time + TURN_SWING, x: at.x, z: at.z, yaw, clearance: 0.04 });
      time += TURN_STEP;
    }
  }
  return { steps, end: increments === 0 ? startTime : time - TURN_STEP + TURN_SWING };
}

/** Arm swing, pelvis rotation and trunk lean from where the feet are: the arm opposite the forward foot swings forward. */
function gaitBody(frame: BodyFrame, lean: number, running: boolean, variation: number): void {
  const [l, r] = frame.feet;
  const [, lz] = rotateXZ(l.x - frame.rootX, l.z - frame.rootZ, -frame.yaw);
  const [, rz] = rotateXZ(r.x - frame.rootX, r.z - frame.rootZ, -frame.yaw);
  const stride = (lz - rz) * variation; // > 0: left foot ahead
  frame.joints[0] = rotY(0.25 * stride).multiply(rotX(lean));
  frame.joints[3] = rotY(-0.2 * stride);
  frame.joints[6] = rotY(-0.1 * stride);
  frame.joints[12] = rotX(-lean * 0.6);
  const swing = running ? 1.1 : 0.8;
  const arm = (forward: number, side: 'left' | 'right') => {
    const upper: [number, number, number] = [0.18, -1, forward * swing];
    const fore: [number, number, number] = running ? [0.1, -0.25 + 0.2 * forward, 1] : [0.12, -1, 0.35 + forward * swing * 1.2];
    poseArm(frame.joints, side, side === 'left' ? upper : mirror(upper), side === 'left' ? fore : mirror(fore));
  };
  arm(-stride, 'left');
  arm(stride, 'right');
}

export function locomotion(context: ActionContext): BodyFrame[] {
  const { action, start, frameCount, fps, variation } = context;
  const name = action.action as Gait | 'turn';
  if (name === 'turn') {
    const degrees = headingChange('turn', action.params);
    const plan = turnSteps(start.rootX, start.rootZ, start.yaw, degrees, 0);
    return steppingFrames(start, plan.steps, frameCount, fps, 0.18, (frame) => gaitBody(frame, 2 * DEG, false, variation * 0.4));
  }
  const plan = planGait(name, action.params, action.duration);
  const turn = turnSteps(start.rootX, start.rootZ, start.yaw, plan.turn, 0);
  const facing = start.yaw + plan.turn * DEG;
  const backward = action.params.direction === 'backward';
  const travel = new Vector3(Math.sin(facing), 0, Math.cos(facing)).multiplyScalar(backward ? -1 : 1);
  const steps = [...turn.steps];
  const first: 0 | 1 = context.random() < 0.5 ? 0 : 1;
  let time = turn.end + LEAD_IN;
  let along = 0;
  for (let k = 0; k <= plan.steps; k++) {
    const side = (k % 2 === 0 ? first : 1 - first) as 0 | 1;
    along += (plan.stepShares[k] ?? 0) * plan.stepLength;
    const at = standingFoot(side, start.rootX + travel.x * along, start.rootZ + travel.z * along, facing);
    // The trailing foot rolls onto its toe late in stance (not on the first step, from standing).
    const stance = plan.gait.duty * 2 * plan.period;
    const heel = k === 0 ? {} : { heelRise: Math.min(0.45 * stance, 0.3), heelPitch: plan.gait.heelPitch };
    steps.push({ side, lift: time, land: time + plan.swing, x: at.x, z: at.z, yaw: facing, clearance: plan.gait.clearance * (k === plan.steps ? 0.6 : 1), ...heel });
    time += plan.period;
  }
  const desired = STANDING_PELVIS_Y - plan.gait.pelvisDrop;
  return steppingFrames(start, steps, frameCount, fps, plan.period * 0.55, (frame, t) => {
    const moving = envelope(t - turn.end, time - turn.end, 0.4, 0.5);
    frame.pelvisY = STANDING_PELVIS_Y + (desired - STANDING_PELVIS_Y) * moving;
    gaitBody(frame, plan.gait.lean * moving, name !== 'walk', variation);
  });
}
