import type { ActionName } from '../../action-plan.ts';
import type { FullBodyGenerator, UpperBodyGesture } from '../action-context.ts';
import { GESTURES } from './gestures.ts';
import { idle } from './idle.ts';
import { jump } from './jump.ts';
import { locomotion } from './locomotion.ts';
import { danceStep, kick, stretch, taiChi } from './moves.ts';
import { bow, kneel, pickUp, sitDown, standUp } from './posture.ts';

type FullBodyAction = Exclude<ActionName, keyof typeof GESTURES>;

/** The generator for every full-body action of the vocabulary (upper-body gestures played alone run over idle). */
export const FULL_BODY_GENERATORS: Readonly<Record<FullBodyAction | 'idle', FullBodyGenerator>> & Partial<Record<ActionName, FullBodyGenerator>> = {
  idle,
  walk: locomotion,
  jog: locomotion,
  run: locomotion,
  turn: locomotion,
  jump,
  sit_down: sitDown,
  stand_up: standUp,
  kneel,
  bow,
  kick,
  pick_up: pickUp,
  stretch,
  dance_step: danceStep,
  tai_chi: taiChi,
};

export const UPPER_BODY_GESTURES: Partial<Record<ActionName, UpperBodyGesture>> = GESTURES;
