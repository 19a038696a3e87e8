import { z } from 'zod';

/**
 * An action plan: the timeline a prompt becomes (by the rule-based parser, or by a text model
 * after Action-GPT's expansion), and what the synthesiser turns into motion. Data, validated
 * by zod, stored beside the motion so it can be edited and rendered again.
 *
 * Timing: each action starts when the previous full-body action ends, unless `start` is given
 * (seconds from the clip's start). Upper-body actions (`layer: 'upper'`, TEACH-style) play over
 * whatever the legs are doing at that time; by default they start with the previous action.
 */

/** The documented vocabulary. Chinese and English words for each live with the rule-based parser. */
export const ACTIONS = [
  'idle', 'walk', 'run', 'jog', 'turn', 'jump', 'sit_down', 'stand_up', 'kneel', 'bow', 'wave', 'clap', 'point', 'nod', 'shake_head',
  'punch', 'kick', 'pick_up', 'throw', 'look_around', 'stretch', 'dance_step', 'tai_chi',
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Actions that move only the upper body, and may layer over locomotion. */
export const UPPER_BODY_ACTIONS: ReadonlySet<ActionName> = new Set(['wave', 'clap', 'point', 'nod', 'shake_head', 'punch', 'throw', 'look_around']);

export const MOTION_LIMITS = {
  /** Longest clip, seconds: a 10-minute request is refused, not rendered. */
  maxSeconds: 300,
  maxActions: 200,
  /** Fastest locomotion, m/s (a sprinter): walking 10 km in 1 s is refused. */
  maxSpeed: 10,
  maxDistance: 1000,
  maxCount: 50,
} as const;

const L = MOTION_LIMITS;

export const actionParamsSchema = z
  .object({
    /** Metres to travel (walk, run, jog, jump forward). */
    distance: z.number().finite().min(0).max(L.maxDistance).optional(),
    /** Where to travel or face, relative to the current heading: a word or degrees (positive: left, counter-clockwise seen from above). */
    direction: z.union([z.enum(['forward', 'backward', 'left', 'right']), z.number().finite().min(-360).max(360)]).optional(),
    /** Degrees to turn (turn), positive to the left. */
    angle: z.number().finite().min(-720).max(720).optional(),
    /** Metres per second (locomotion); default per action. */
    speed: z.number().finite().gt(0).max(L.maxSpeed).optional(),
    hand: z.enum(['left', 'right', 'both']).optional(),
    /** Repetitions (waves, claps, nods, steps, punches). */
    count: z.number().int().min(1).max(L.maxCount).optional(),
    /** 0..1: how big and energetic. */
    intensity: z.number().finite().min(0).max(1).optional(),
    /** Metres: seat height (sit_down), jump height. */
    height: z.number().finite().min(0).max(2).optional(),
  })
  .strict();

export const plannedActionSchema = z
  .object({
    action: z.enum(ACTIONS),
    /** Seconds from the clip's start; default: see the module comment. */
    start: z.number().finite().min(0).max(L.maxSeconds).optional(),
    /** Seconds; default from the action and its parameters (distance / speed, count). */
    duration: z.number().finite().gt(0).max(L.maxSeconds).optional(),
    /** 'upper' layers over the legs' current action; default 'upper' for UPPER_BODY_ACTIONS, else 'full'. */
    layer: z.enum(['full', 'upper']).optional(),
    params: actionParamsSchema.default({}),
    /** The words this action came from (for the studio's timeline and warnings). */
    text: z.string().max(500).optional(),
  })
  .strict();

export const actionPlanSchema = z
  .object({
    version: z.literal(1).default(1),
    /** Action-GPT's detailed body-part descriptions, when a text model expanded the prompt. */
    descriptions: z.array(z.string().max(1000)).max(8).optional(),
    actions: z.array(plannedActionSchema).min(1).max(L.maxActions),
  })
  .strict();

export type ActionParams = z.output<typeof actionParamsSchema>;
export type PlannedAction = z.output<typeof plannedActionSchema>;
export type ActionPlanInput = z.input<typeof actionPlanSchema>;
export type ActionPlan = z.output<typeof actionPlanSchema>;
