import type { Quaternion } from 'three';
import type { ActionName, ActionParams } from '../action-plan.ts';
import type { BodyFrame, BodyState } from './body-frame.ts';

/** One action of the resolved timeline. */
export interface ResolvedAction {
  action: ActionName;
  params: ActionParams;
  start: number;
  duration: number;
  layer: 'full' | 'upper';
}

/** What a full-body generator gets: its action, the state the previous action left, and a seeded source of small variation. */
export interface ActionContext {
  action: ResolvedAction;
  start: BodyState;
  frameCount: number;
  fps: number;
  /** 1 ± a few percent, drawn once per action from the seed. */
  variation: number;
  random: () => number;
  warnings: string[];
}

export type FullBodyGenerator = (context: ActionContext) => BodyFrame[];

/**
 * An upper-body gesture: writes its rotations for the joints it moves into `joints` at `time`
 * seconds into a `duration`-second gesture (the caller blends them over the legs' action).
 */
export type UpperBodyGesture = (joints: Quaternion[], time: number, duration: number, params: ActionParams, variation: number) => void;
