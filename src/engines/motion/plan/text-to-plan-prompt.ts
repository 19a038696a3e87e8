import type { ModelMessage } from 'ai';
import { ACTIONS, MOTION_LIMITS, UPPER_BODY_ACTIONS, type ActionPlanInput } from '../action-plan.ts';
import { parseMotionPrompt } from './parse-prompt.ts';

/** Requests the few-shot turns show, each answered with the rule-based parser's plan. */
export const PLAN_EXAMPLE_PROMPTS = ['walk forward 3 m, turn left, then wave the right hand', '向前走三步然后挥手', 'jog 5 meters while waving, then sit down'] as const;

/** Action-GPT's expansion: how many body-part descriptions the model writes first. */
export const DEFAULT_DESCRIPTION_COUNT = 3;

export function expansionSystemPrompt(count: number): string {
  return `You describe human body movement for an animator. For the motion the user names, write ${count} short sentences, one per line, each saying what one part of the body does and in which order: legs and feet, arms and hands, torso and head. Plain sentences only: no lists, numbers or quotes.`;
}

export const PLAN_SYSTEM_PROMPT = `You turn a description of human motion into an action plan: one JSON object {"actions": [...]} and nothing else.
Each action is {"action": NAME, "layer": "full" | "upper", "params": {...}}, played in order.
Names: ${ACTIONS.join(', ')}.
"layer": "upper" for an upper-body action (${[...UPPER_BODY_ACTIONS].join(', ')}) done at the same time as the action before it (waving while walking); otherwise "full".
Params (all optional): distance (metres, at most ${MOTION_LIMITS.maxDistance}), direction ("forward", "backward", "left", "right"), angle (degrees to turn, positive is left, negative right), speed (m/s, at most ${MOTION_LIMITS.maxSpeed}), hand ("left", "right", "both"), count (whole number 1..${MOTION_LIMITS.maxCount}), intensity (0..1), height (metres, 0..2).
One step is about 0.7 m. "turn left" is angle 90, "turn right" is -90, "turn around" is 180.`;

/** The plan an example shows: the parser's, without the words each action came from. */
function examplePlan(prompt: string): Pick<ActionPlanInput, 'actions'> {
  const { plan } = parseMotionPrompt(prompt);
  return { actions: plan.actions.map(({ text: _text, ...action }) => action) };
}

export function planRequestMessage(prompt: string, descriptions: readonly string[]): string {
  const detail = descriptions.length === 0 ? '' : `\nIn detail:\n${descriptions.map((d) => `- ${d}`).join('\n')}`;
  return `Write the action plan for: ${prompt}${detail}`;
}

/** The examples as earlier turns (request → plan), so a model with a small context can leave them out (oldest first). */
export function planExampleTurns(): ModelMessage[] {
  return PLAN_EXAMPLE_PROMPTS.flatMap((prompt): ModelMessage[] => [
    { role: 'user', content: planRequestMessage(prompt, []) },
    { role: 'assistant', content: JSON.stringify(examplePlan(prompt)) },
  ]);
}

/** The turn that sends a failed plan's errors back to the model. */
export function planRepairMessage(errors: string): string {
  return `That action plan is not valid:\n${errors}\nWrite the whole corrected plan as one JSON object.`;
}
