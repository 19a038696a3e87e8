import type { ActionName, ActionParams } from '../../action-plan.ts';

type Timed = Exclude<ActionName, 'walk' | 'jog' | 'run' | 'turn' | 'jump'>;

/** Natural durations, seconds, of the actions whose length is not set by distance or angle. */
export const GESTURE_DURATIONS: Readonly<Record<Timed, (p: ActionParams) => number>> = {
  idle: () => 2,
  sit_down: () => 2.2,
  stand_up: () => 2,
  kneel: () => 2.4,
  bow: (p) => 2.4 * (p.count ?? 1),
  wave: (p) => 0.8 + 0.5 * (p.count ?? 3),
  clap: (p) => 0.7 + 0.45 * (p.count ?? 4),
  point: () => 2,
  nod: (p) => 0.6 + 0.55 * (p.count ?? 2),
  shake_head: (p) => 0.6 + 0.6 * (p.count ?? 2),
  punch: (p) => 0.5 + 0.6 * (p.count ?? 1),
  kick: (p) => 1.5 * (p.count ?? 1),
  pick_up: () => 3.2,
  throw: () => 1.8,
  look_around: () => 3.5,
  stretch: () => 3.6,
  dance_step: (p) => 0.4 + 1.8 * (p.count ?? 2),
  tai_chi: () => 9,
};
