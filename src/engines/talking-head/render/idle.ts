import type { IdleMotion } from '../types.ts';
import { seededRandom } from '../../seeded-random.ts';

/** A face's idle state in one frame. */
export interface IdlePose {
  /** Eyes closed, 0 open .. 1 shut. */
  readonly blink: number;
  /** Head tilt, radians (positive: clockwise in the image). */
  readonly roll: number;
  /** Head turn, as a shift along the eye line, in face heights. */
  readonly turn: number;
  /** Nod plus breathing, as a shift down the face, in face heights. */
  readonly nod: number;
}

const STILL: IdlePose = { blink: 0, roll: 0, turn: 0, nod: 0 };

/** Seconds between blinks (people blink every 2–6 s) and the blink's own shape. */
const BLINK_GAP = [2, 6] as const;
const BLINK_CLOSE = 0.06;
const BLINK_HOLD = 0.04;
const BLINK_OPEN = 0.1;
/** ≤ 1.5° of tilt, turns and nods of about 1.5 % of the face's height, breathing of 0.5 %. */
const ROLL_MAX = (1.5 * Math.PI) / 180;
const TURN_MAX = 0.015;
const NOD_MAX = 0.012;
const BREATH = 0.005;
const BREATH_PERIOD = 4.2;

/**
 * Idle motion for every frame of a clip: blinks at seeded intervals, and slow head motion as
 * sums of two sines with seeded frequencies (0.07–0.25 Hz) and phases, so it is smooth,
 * never periodic to the eye, and the same for the same seed. Frame i is at time i / fps.
 */
export function idlePoses(idle: IdleMotion, seed: number, frameCount: number, fps: number): IdlePose[] {
  const random = seededRandom(seed ^ 0x1d1e);
  const blinks: number[] = [];
  const duration = frameCount / fps;
  for (let t = 0.8 + random() * 2.2; t < duration; t += BLINK_GAP[0] + random() * (BLINK_GAP[1] - BLINK_GAP[0])) {
    // A blink starts on a frame, so its closed moment is always shown.
    blinks.push(Math.round(t * fps) / fps);
  }
  const wave = () => {
    const parts = [0, 1].map(() => ({ frequency: 0.07 + random() * 0.18, phase: random() * 2 * Math.PI }));
    return (t: number) => (Math.sin(2 * Math.PI * parts[0]!.frequency * t + parts[0]!.phase) + Math.sin(2 * Math.PI * parts[1]!.frequency * t + parts[1]!.phase)) / 2;
  };
  const roll = wave();
  const turn = wave();
  const nod = wave();
  const breathPhase = random() * 2 * Math.PI;
  const poses: IdlePose[] = [];
  let next = 0;
  for (let i = 0; i < frameCount; i++) {
    const t = i / fps;
    let blink = 0;
    if (idle.blink) {
      while (next < blinks.length && blinks[next]! + BLINK_CLOSE + BLINK_HOLD + BLINK_OPEN <= t) next++;
      const start = blinks[next];
      if (start !== undefined && t >= start) blink = blinkAmount(t - start);
    }
    poses.push(
      idle.head
        ? { blink, roll: ROLL_MAX * roll(t), turn: TURN_MAX * turn(t), nod: NOD_MAX * nod(t) + BREATH * Math.sin((2 * Math.PI * t) / BREATH_PERIOD + breathPhase) }
        : blink === 0 ? STILL : { ...STILL, blink },
    );
  }
  return poses;
}

/** How shut the eyes are `s` seconds into a blink. */
function blinkAmount(s: number): number {
  if (s < BLINK_CLOSE) return s / BLINK_CLOSE;
  if (s < BLINK_CLOSE + BLINK_HOLD) return 1;
  return Math.max(0, 1 - (s - BLINK_CLOSE - BLINK_HOLD) / BLINK_OPEN);
}
