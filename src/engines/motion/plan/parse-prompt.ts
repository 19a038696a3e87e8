import { ShenbiError } from '../../../core/errors.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { ACTIONS, actionPlanSchema, MOTION_LIMITS, UPPER_BODY_ACTIONS, type ActionName, type ActionPlanInput } from '../action-plan.ts';
import { HAND_ACTIONS, parseParams } from './params.ts';
import { ACTION_WORDS, NEAREST_ACTION, vocabularyList } from './vocabulary.ts';

export interface ParsedMotionPrompt {
  plan: ActionPlanInput;
  warnings: string[];
}

type PlannedActionInput = ActionPlanInput['actions'][number];

interface WordMatch {
  action: ActionName;
  start: number;
  end: number;
}

interface Pattern {
  action: ActionName;
  regex: RegExp;
}

function patterns(table: ReadonlyArray<{ action: ActionName; zh?: readonly string[]; en?: readonly string[] }>): Pattern[] {
  return table.flatMap(({ action, zh = [], en = [] }) => [
    ...zh.map((word) => ({ action, regex: new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') })),
    ...en.map((source) => ({ action, regex: new RegExp(`(?<![a-z])(?:${source})(?![a-z])`, 'g') })),
  ]);
}

const VOCABULARY_PATTERNS = patterns(ACTIONS.map((action) => ({ action, ...ACTION_WORDS[action] })));
const NEAREST_PATTERNS = patterns(NEAREST_ACTION.map(({ action, zh, en }) => ({ action, zh: zh === undefined ? [] : [zh], en: en === undefined ? [] : [en] })));

/**
 * Where one action ends and the next begins: punctuation and the words for "then". "and"
 * counts too ("walk and wave" is two actions in turn); "while", "边…边" do not (they layer).
 * A full stop between digits is a decimal point; 再见 is goodbye, not "again".
 */
const SEQUENCE = /[,;!?。，；！？、\n]|\.(?!\d)|\band then\b|\bafter that\b|\bafterwards\b|\bthen\b|\bnext\b|\bfinally\b|\band\b|然后|之后|接着|随后|最后|并且|再(?!见)/;

/** Words that say nothing about motion, left out before guessing at a misspelt action. */
const FILLER = new Set([
  'the', 'then', 'with', 'while', 'both', 'hand', 'hands', 'left', 'right', 'forward', 'forwards', 'back', 'backward', 'backwards', 'meters', 'metres',
  'meter', 'metre', 'degrees', 'steps', 'times', 'slowly', 'quickly', 'around', 'down', 'head', 'person', 'someone', 'character', 'man', 'woman', 'they',
  'his', 'her', 'their', 'slow', 'fast', 'once', 'twice', 'three', 'four', 'five', 'after', 'that', 'first', 'again', 'seconds', 'minutes', 'from', 'into',
]);

/** English vocabulary words a misspelling is compared with (multi-word and very short ones are matched exactly only). */
const FUZZY_TARGETS: ReadonlyArray<[string, ActionName]> = [
  ['walk', 'walk'], ['turn', 'turn'], ['jump', 'jump'], ['kneel', 'kneel'], ['wave', 'wave'], ['clap', 'clap'], ['point', 'point'], ['punch', 'punch'],
  ['kick', 'kick'], ['throw', 'throw'], ['stretch', 'stretch'], ['dance', 'dance_step'], ['running', 'run'], ['walking', 'walk'], ['jumping', 'jump'], ['waving', 'wave'],
];

function findMatches(text: string, table: readonly Pattern[]): WordMatch[] {
  const candidates: WordMatch[] = [];
  for (const { action, regex } of table) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      candidates.push({ action, start: m.index, end: m.index + m[0].length });
    }
  }
  // Longest first (跳舞 over 跳, 慢跑 over 跑), then earliest; keep those that do not overlap.
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken = new Uint8Array(text.length);
  const kept: WordMatch[] = [];
  for (const c of candidates) {
    if (taken.subarray(c.start, c.end).some((t) => t === 1)) continue;
    taken.fill(1, c.start, c.end);
    kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Optimal string alignment distance (a transposition counts as one edit: "wlak" is one from "walk"). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** A misspelt English action word ("wlak", "jupm", "strech"), with the action it is nearest to. */
function nearestMisspelling(clause: string): { word: string; action: ActionName } | undefined {
  // Longer words are more than two edits from every target.
  for (const word of clause.match(/[a-z]{4,}/g) ?? []) {
    if (FILLER.has(word) || word.length > 9) continue;
    let best: { distance: number; action: ActionName } | undefined;
    for (const [target, action] of FUZZY_TARGETS) {
      const distance = editDistance(word, target);
      const allowed = target.length >= 6 ? 2 : 1;
      if (distance <= allowed && (best === undefined || distance < best.distance)) best = { distance, action };
    }
    if (best !== undefined) return { word, action: best.action };
  }
  return undefined;
}

/** Full-width forms to ASCII (NFKC: "３米" → "3米", "，" → ","), lower case, one space between words. */
function normalize(prompt: string): string {
  return prompt.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The rule-based planner: plain Chinese and English motion phrases → an action plan. Clauses
 * (split at punctuation and "then"/然后/再…) play one after another; in one clause, upper-body
 * actions said together with a full-body one ("边走边挥手", "walk forward waving") are layered
 * over it (TEACH-style), and an upper-body action on its own plays in turn (layer 'full', so it
 * does not start with the previous action). Words outside the vocabulary map to the nearest
 * action with a warning; a prompt with no action at all is INVALID_INPUT listing the vocabulary.
 */
export function parseMotionPrompt(prompt: string): ParsedMotionPrompt {
  const text = normalize(prompt);
  const warnings: string[] = [];
  const actions: PlannedActionInput[] = [];
  for (const clause of text.split(SEQUENCE).map((c) => c?.trim() ?? '').filter((c) => c !== '')) {
    let matches = findMatches(clause, VOCABULARY_PATTERNS);
    if (actions.length + matches.length > MOTION_LIMITS.maxActions) throw tooManyActions();
    if (matches.length === 0) {
      matches = findMatches(clause, NEAREST_PATTERNS);
      for (const m of matches) warnings.push(`"${clause.slice(m.start, m.end)}" is not in the motion vocabulary: used ${m.action}, the nearest action.`);
    }
    if (matches.length === 0) {
      const guess = nearestMisspelling(clause);
      if (guess !== undefined) {
        const start = clause.indexOf(guess.word);
        matches = [{ action: guess.action, start, end: start + guess.word.length }];
        warnings.push(`"${guess.word}" is not in the motion vocabulary: read as ${guess.action}.`);
      }
    }
    if (matches.length === 0) {
      warnings.push(`Ignored "${clause.slice(0, 80)}": no action understood.`);
      continue;
    }
    actions.push(...clauseActions(clause, matches));
    if (actions.length > MOTION_LIMITS.maxActions) throw tooManyActions();
  }
  if (actions.length === 0) {
    throw new ShenbiError('INVALID_INPUT', `No action understood in "${prompt.slice(0, 80)}". The motion vocabulary: ${vocabularyList()}.`, {
      hint: 'Describe the motion with these actions, in order, e.g. "向前走三步然后挥手" or "walk forward 3 m, turn left, wave".',
      details: { vocabulary: [...ACTIONS] },
    });
  }
  const plan: ActionPlanInput = { version: 1, actions };
  parseOrThrow(actionPlanSchema, plan, 'action plan');
  return { plan, warnings };
}

function tooManyActions(): ShenbiError {
  return new ShenbiError('INVALID_INPUT', `The prompt asks for more than ${MOTION_LIMITS.maxActions} actions, the most one motion has.`, { hint: 'Split a long performance into several motions.' });
}

/** One clause's actions: each with the words from it up to the next action (the first also takes the words before it). */
function clauseActions(clause: string, matches: WordMatch[]): PlannedActionInput[] {
  const parsed = matches.map((m, i) => {
    const from = i === 0 ? 0 : m.start;
    const to = i + 1 < matches.length ? matches[i + 1]!.start : clause.length;
    const words = clause.slice(from, to);
    const rest = `${clause.slice(from, m.start)} ${clause.slice(m.end, to)}`;
    return { match: m, words, ...parseParams(m.action, words, rest) };
  });
  // "边走边用右手挥手": the hand named among the walk's words belongs to the wave.
  for (let i = 0; i + 1 < parsed.length; i++) {
    const here = parsed[i]!;
    const next = parsed[i + 1]!;
    if (here.params.hand !== undefined && !HAND_ACTIONS.has(here.match.action) && HAND_ACTIONS.has(next.match.action) && next.params.hand === undefined) {
      next.params.hand = here.params.hand;
      delete here.params.hand;
    }
  }
  const hasFullBody = parsed.some((p) => !UPPER_BODY_ACTIONS.has(p.match.action));
  const full = parsed.filter((p) => !UPPER_BODY_ACTIONS.has(p.match.action));
  const upper = parsed.filter((p) => UPPER_BODY_ACTIONS.has(p.match.action));
  // Upper-body actions said with a full-body one layer over it; alone, they play in turn.
  const ordered = hasFullBody ? [...full, ...upper] : parsed;
  return ordered.map((p): PlannedActionInput => {
    const layered = hasFullBody && UPPER_BODY_ACTIONS.has(p.match.action);
    return {
      action: p.match.action,
      layer: layered ? 'upper' : 'full',
      params: p.params,
      ...(p.duration === undefined ? {} : { duration: p.duration }),
      text: p.words.trim().slice(0, 500),
    };
  });
}
