import { type ActionName, type ActionParams, type ActionPlan, actionPlanSchema, MOTION_LIMITS, UPPER_BODY_ACTIONS } from '../action-plan.ts';
import { ShenbiError } from '../../../core/errors.ts';
import type { ResolvedAction } from './action-context.ts';
import { GESTURE_DURATIONS } from './actions/gesture-durations.ts';
import { headingChange, planGait, turnDuration } from './actions/locomotion.ts';
import { jumpPlan } from './actions/jump.ts';

/**
 * Resolves a plan into a timeline (action-plan.ts states the rules): full-body actions follow
 * each other; upper-body actions layer over the legs (TEACH-style), by default starting with the
 * previous action; gaps are filled by idling; a full-body action other than idle after
 * sit_down or kneel gets an implicit stand_up first.
 */
export function parsePlan(input: unknown): ActionPlan {
  const parsed = actionPlanSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`);
    throw new ShenbiError('INVALID_INPUT', `invalid action plan: ${issues.join('; ')}`, { details: { issues } });
  }
  return parsed.data;
}

export function defaultDuration(action: ActionName, params: ActionParams): number {
  switch (action) {
    case 'walk':
    case 'jog':
    case 'run':
      return planGait(action, params, undefined).duration;
    case 'turn': {
      const degrees = headingChange('turn', params);
      if (Math.abs(degrees) < 1) throw new ShenbiError('INVALID_INPUT', 'turn by 0° does nothing: give an angle or a direction', { details: { action } });
      return turnDuration(degrees);
    }
    case 'jump':
      return jumpPlan(params).duration * (params.count ?? 1);
    default:
      return GESTURE_DURATIONS[action](params);
  }
}

function validate(action: ActionName, params: ActionParams, duration: number | undefined): void {
  if (action === 'walk' || action === 'jog' || action === 'run') planGait(action, params, duration);
  if (action === 'jump') jumpPlan(params);
  if (action === 'turn' && duration !== undefined) {
    const degrees = Math.abs(headingChange('turn', params));
    // Pirouettes aside, a stepping turn manages about 360°/s.
    if (degrees / duration > 360) throw new ShenbiError('INVALID_INPUT', `turning ${degrees}° in ${duration} s is faster than a person can step round (about 360°/s)`, { details: { action, degrees, duration } });
  }
}

const HOLDS_POSTURE: ReadonlySet<ActionName> = new Set(['idle', 'stand_up', 'sit_down', 'kneel']);

export function resolveTimeline(plan: ActionPlan, warnings: string[]): { actions: ResolvedAction[]; duration: number } {
  const out: ResolvedAction[] = [];
  let cursor = 0;
  let previousStart = 0;
  let posture: 'standing' | 'seated' | 'kneeling' = 'standing';
  const pushFull = (action: ResolvedAction) => {
    if (action.start > cursor + 1e-6) out.push({ action: 'idle', params: {}, start: cursor, duration: action.start - cursor, layer: 'full' });
    out.push(action);
    cursor = action.start + action.duration;
  };
  for (const [index, planned] of plan.actions.entries()) {
    const name = planned.action;
    let layer = planned.layer ?? (UPPER_BODY_ACTIONS.has(name) ? 'upper' : 'full');
    if (layer === 'upper' && !UPPER_BODY_ACTIONS.has(name)) {
      warnings.push(`action ${index + 1} (${name}) moves the whole body; it cannot layer over the legs, so it plays on its own`);
      layer = 'full';
    }
    validate(name, planned.params, planned.duration);
    const duration = planned.duration ?? defaultDuration(name, planned.params);
    // Locomotion's distance is fixed here, so the generator does not re-derive it from the duration.
    const params = name === 'walk' || name === 'jog' || name === 'run' ? { ...planned.params, distance: planGait(name, planned.params, planned.duration).distance } : planned.params;
    if (!(duration > 0)) throw new ShenbiError('INVALID_INPUT', `action ${index + 1} (${name}) has zero duration`, { details: { index, action: name } });
    if (layer === 'upper') {
      const start = planned.start ?? previousStart;
      out.push({ action: name, params, start, duration, layer: 'upper' });
      previousStart = start;
      continue;
    }
    if (planned.start !== undefined && planned.start < cursor - 1e-6) {
      throw new ShenbiError('INVALID_INPUT', `action ${index + 1} (${name}) starts at ${planned.start} s, before the previous full-body action ends (${cursor.toFixed(2)} s)`, { details: { index, action: name } });
    }
    const isGesture = UPPER_BODY_ACTIONS.has(name);
    if (posture !== 'standing' && !isGesture && !HOLDS_POSTURE.has(name)) {
      warnings.push(`added stand_up before action ${index + 1} (${name}): the body was ${posture}`);
      pushFull({ action: 'stand_up', params: {}, start: Math.max(cursor, planned.start ?? cursor), duration: defaultDuration('stand_up', {}), layer: 'full' });
      posture = 'standing';
    }
    const start = planned.start ?? cursor;
    if (isGesture) {
      // A gesture on its own: the legs hold still under it.
      pushFull({ action: 'idle', params: {}, start, duration, layer: 'full' });
      out.push({ action: name, params, start, duration, layer: 'upper' });
    } else {
      pushFull({ action: name, params, start, duration, layer: 'full' });
    }
    previousStart = start;
    if (name === 'sit_down') posture = 'seated';
    else if (name === 'kneel') posture = 'kneeling';
    else if (name === 'stand_up') posture = 'standing';
  }
  const end = Math.max(cursor, ...out.map((a) => a.start + a.duration));
  if (end > cursor + 1e-6) out.push({ action: 'idle', params: {}, start: cursor, duration: end - cursor, layer: 'full' });
  if (end > MOTION_LIMITS.maxSeconds) {
    throw new ShenbiError('INVALID_INPUT', `the plan lasts ${end.toFixed(1)} s; the longest motion is ${MOTION_LIMITS.maxSeconds} s`, { details: { duration: end, maxSeconds: MOTION_LIMITS.maxSeconds } });
  }
  return { actions: out, duration: end };
}
