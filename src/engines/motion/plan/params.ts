import { ShenbiError } from '../../../core/errors.ts';
import { MOTION_LIMITS, type ActionName, type ActionParams } from '../action-plan.ts';
import { CN_NUMERAL_CHARS, EN_NUMBER_WORDS, parseNumber } from './numbers.ts';

/** Metres per step when a prompt counts steps ("三步", "3 steps"): an adult's walking step. */
export const STEP_LENGTH_M = 0.7;

/** What the parser reads from the words around one action. */
export interface ParsedParams {
  params: ActionParams;
  /** Seconds, when the words give a time ("in 2 seconds", "两秒"). */
  duration?: number;
}

const NUM = `(\\d+(?:\\.\\d+)?|[${CN_NUMERAL_CHARS}个]+|(?<![a-z])(?:${EN_NUMBER_WORDS.join('|')}))`;
const END = '(?![a-z])';

const LENGTH_UNITS: ReadonlyArray<{ unit: string; metres: number }> = [
  { unit: `(?:km|kilomet(?:er|re)s?)${END}|公里|千米`, metres: 1000 },
  { unit: `(?:cm|centimet(?:er|re)s?)${END}|厘米|公分`, metres: 0.01 },
  { unit: `(?:ft|feet|foot)${END}|英尺`, metres: 0.3048 },
  { unit: `(?:m|met(?:er|re)s?)${END}|米|公尺`, metres: 1 },
];
const TIME_UNITS: ReadonlyArray<{ unit: string; seconds: number }> = [
  { unit: `(?:h|hrs?|hours?)${END}|小时`, seconds: 3600 },
  { unit: `(?:min|mins|minutes?)${END}|分钟`, seconds: 60 },
  { unit: `(?:s|secs?|seconds?)${END}|秒钟|秒`, seconds: 1 },
];
const SPEED = new RegExp(`${NUM}\\s*(?:m/s|米每秒|米/秒|meters? per second|metres? per second)|每秒\\s*${NUM}\\s*米`);
const STEPS = new RegExp(`${NUM}\\s*(?:steps?${END}|步)`);
const ANGLE = new RegExp(`${NUM}\\s*(?:°|degrees?${END}|deg${END}|度)`);
const COUNT = new RegExp(`${NUM}\\s*(?:times${END}|x${END}|次|下|遍|回)`);
const COUNT_WORDS: ReadonlyArray<[RegExp, number]> = [[/\bonce\b/, 1], [/\btwice\b/, 2], [/\bthrice\b/, 3]];

const HANDS: ReadonlyArray<[RegExp, 'left' | 'right' | 'both']> = [
  [/\bboth hands\b|\btwo hands\b|双手|两只手|两手/, 'both'],
  [/\bright hand\b|\bright arm\b|右手|右臂/, 'right'],
  [/\bleft hand\b|\bleft arm\b|左手|左臂/, 'left'],
];
const HAND_PHRASES = /\b(?:both|two|right|left) (?:hand|hands|arm)\b|双手|两只手|两手|右手|右臂|左手|左臂|左脚|右脚|\b(?:left|right) (?:foot|leg)\b/g;

const AROUND = /\baround\b|转身|掉头|向后转|回头|\bu-?turn\b/;
const DIRECTIONS: ReadonlyArray<[RegExp, 'forward' | 'backward' | 'left' | 'right']> = [
  [/\bback(?:wards?)?\b|向后|往后|朝后|后退|倒退/, 'backward'],
  [/\bleft\b|左/, 'left'],
  [/\bright\b|右/, 'right'],
  [/\bforwards?\b|\bahead\b|\bstraight\b|向前|往前|朝前|前进|前/, 'forward'],
];

const SLOW = /\bslow(?:ly)?\b|\bleisurely\b|慢慢|缓缓|缓慢|慢/;
const FAST = /\bfast\b|\bquick(?:ly)?\b|\brapid(?:ly)?\b|\bbrisk(?:ly)?\b|快速|迅速|飞快|快/;
const GENTLE = /\bgentl[ey]\b|\bsoft(?:ly)?\b|\blight(?:ly)?\b|轻轻|轻/;
const STRONG = /\bvigorous(?:ly)?\b|\bhard\b|\bpowerful(?:ly)?\b|\benergetic(?:ally)?\b|用力|大力|使劲|猛/;
const HEIGHT_WORD = /^\s*(?:high|tall|高)|高$/;

/** Default speeds (m/s) the speed words scale, per locomotion. */
const BASE_SPEED: Partial<Record<ActionName, number>> = { walk: 1.3, jog: 2.5, run: 4 };
const SLOW_FACTOR = 0.6;
const FAST_FACTOR = 1.4;

export const LOCOMOTION: ReadonlySet<ActionName> = new Set(['walk', 'run', 'jog']);
export const HAND_ACTIONS: ReadonlySet<ActionName> = new Set(['wave', 'clap', 'point', 'punch', 'throw', 'pick_up']);

function absurd(what: string, value: string, limit: string): ShenbiError {
  return new ShenbiError('INVALID_INPUT', `"${value}" is not a motion this engine makes: ${what} (the limit is ${limit}).`, {
    hint: 'Ask for a shorter motion; long takes are made of several clips.',
    details: { phrase: value },
  });
}

function number(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseNumber(text);
}

/**
 * The parameters in the words of one action. `words` is the segment with the action's own word
 * left in (directions are often part of it: 左转, 后退); `rest` is the same without it, for the
 * speed words (慢跑 is a jog, not a slow one). Numbers beyond what the plan allows (10 km,
 * 10 minutes, 0 seconds) are refused here with INVALID_INPUT; plans that are in range but
 * impossible are left to the synthesiser's checks.
 */
export function parseParams(action: ActionName, words: string, rest: string): ParsedParams {
  const params: ActionParams = {};
  let duration: number | undefined;
  let text = rest;

  const speed = SPEED.exec(text);
  if (speed) {
    const value = number(speed[1] ?? speed[2]);
    if (value !== undefined && value > 0) {
      if (value > MOTION_LIMITS.maxSpeed) throw absurd('faster than a sprinter', speed[0].trim(), `${MOTION_LIMITS.maxSpeed} m/s`);
      params.speed = value;
    }
    text = text.replace(speed[0], ' ');
  }

  for (const { unit, seconds } of TIME_UNITS) {
    const match = new RegExp(`${NUM}\\s*(?:${unit})`).exec(text);
    if (!match) continue;
    const value = number(match[1]);
    if (value === undefined) continue;
    const total = value * seconds;
    if (total <= 0) throw absurd('a duration must be more than 0 seconds', match[0].trim(), `${MOTION_LIMITS.maxSeconds} s`);
    if (total > MOTION_LIMITS.maxSeconds) throw absurd(`longer than ${MOTION_LIMITS.maxSeconds / 60} minutes`, match[0].trim(), `${MOTION_LIMITS.maxSeconds} s`);
    duration = total;
    text = text.replace(match[0], ' ');
    break;
  }

  const steps = STEPS.exec(text);
  if (steps) {
    const value = number(steps[1]);
    if (value !== undefined) {
      if (LOCOMOTION.has(action)) setDistance(params, value * STEP_LENGTH_M, steps[0]);
      else setCount(params, value, steps[0]);
    }
    text = text.replace(steps[0], ' ');
  }

  const angle = ANGLE.exec(text);
  if (angle) {
    const value = number(angle[1]);
    if (value !== undefined) {
      if (Math.abs(value) > 720) throw absurd('more than two full turns', angle[0].trim(), '720°');
      params.angle = value;
    }
    text = text.replace(angle[0], ' ');
  }

  for (const { unit, metres } of LENGTH_UNITS) {
    const match = new RegExp(`${NUM}\\s*(?:${unit})`).exec(text);
    if (!match) continue;
    const value = number(match[1]);
    if (value === undefined) continue;
    const after = text.slice(match.index + match[0].length);
    const before = text.slice(0, match.index);
    const isHeight = action === 'sit_down' || (action === 'jump' && (HEIGHT_WORD.test(after) || /高\s*$/.test(before)));
    if (isHeight) {
      if (value * metres > 2) throw absurd('higher than 2 m', match[0].trim(), '2 m');
      params.height = value * metres;
    } else setDistance(params, value * metres, match[0]);
    text = text.replace(match[0], ' ');
    break;
  }

  const count = COUNT.exec(text);
  if (count) {
    const value = number(count[1]);
    if (value !== undefined) setCount(params, value, count[0]);
    text = text.replace(count[0], ' ');
  } else {
    for (const [pattern, value] of COUNT_WORDS) if (pattern.test(text)) params.count = value;
  }

  for (const [pattern, hand] of HANDS) {
    if (pattern.test(words)) {
      params.hand = hand;
      break;
    }
  }

  const directionWords = words.replace(HAND_PHRASES, ' ');
  if (action === 'turn') {
    const sign = /\bright\b|右/.test(directionWords) ? -1 : 1;
    if (params.angle !== undefined) params.angle = sign * Math.abs(params.angle);
    else params.angle = AROUND.test(directionWords) ? 180 : sign * 90;
  } else {
    for (const [pattern, direction] of DIRECTIONS) {
      if (pattern.test(directionWords)) {
        params.direction = direction;
        break;
      }
    }
  }

  const base = BASE_SPEED[action];
  const slow = SLOW.test(text);
  const fast = FAST.test(text);
  if (base !== undefined && params.speed === undefined && slow !== fast) params.speed = Math.round(base * (slow ? SLOW_FACTOR : FAST_FACTOR) * 100) / 100;
  if (base === undefined && slow !== fast) params.intensity = slow ? 0.4 : 0.9;
  if (GENTLE.test(text)) params.intensity = 0.3;
  if (STRONG.test(text)) params.intensity = 1;

  return duration === undefined ? { params } : { params, duration };
}

function setDistance(params: ActionParams, metres: number, phrase: string): void {
  if (metres > MOTION_LIMITS.maxDistance) throw absurd(`farther than ${MOTION_LIMITS.maxDistance} m`, phrase.trim(), `${MOTION_LIMITS.maxDistance} m`);
  params.distance = Math.round(metres * 1000) / 1000;
}

function setCount(params: ActionParams, value: number, phrase: string): void {
  if (!Number.isInteger(value) || value < 1) throw absurd('a count must be a whole number of at least 1', phrase.trim(), `${MOTION_LIMITS.maxCount}`);
  if (value > MOTION_LIMITS.maxCount) throw absurd(`more than ${MOTION_LIMITS.maxCount} repetitions`, phrase.trim(), `${MOTION_LIMITS.maxCount}`);
  params.count = value;
}
