import { withOutputFittingContext } from '../../llama-cpp/fit-output.ts';
import { generateObject, generateText, jsonSchema, NoObjectGeneratedError, type LanguageModel, type ModelMessage } from 'ai';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { formatIssues } from '../../../core/validation.ts';
import { actionPlanSchema, type ActionPlanInput } from '../action-plan.ts';
import { parseMotionPrompt } from './parse-prompt.ts';
import { actionPlanJsonSchema } from './text-to-plan-schema.ts';
import { DEFAULT_DESCRIPTION_COUNT, expansionSystemPrompt, PLAN_SYSTEM_PROMPT, planExampleTurns, planRepairMessage, planRequestMessage } from './text-to-plan-prompt.ts';

export const DEFAULT_PLAN_ATTEMPTS = 3;
/** A plan of a dozen actions is a few hundred tokens; bounded so a looping model stops. */
const DEFAULT_MAX_OUTPUT_TOKENS = 1024;
const DESCRIPTION_TOKENS = 256;
/** What of a failed answer goes back to the model. */
const ECHO_CHARS = 4000;
const MAX_DESCRIPTION_CHARS = 1000;

export interface TextToPlanOptions {
  model: LanguageModel;
  prompt: string;
  seed: number;
  /** Body-part descriptions the expansion writes (default 3, at most 8). */
  descriptions?: number;
  /** Plans asked for, the first included (default 3). */
  maxAttempts?: number;
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Called after each attempt that failed, with its errors (progress for the step). */
  onRetry?: (attempt: number, errors: string) => void;
}

export interface TextToPlanResult {
  plan: ActionPlanInput;
  /** 'text-model' when the model's plan was valid; 'rules' when the rule-based parser made it instead. */
  source: 'text-model' | 'rules';
  /** Plans asked of the model. */
  attempts: number;
  descriptions: string[];
  warnings: string[];
}

type Attempt = { plan: ActionPlanInput } | { text: string; errors: string };

/**
 * Action-GPT: the text model first rewrites the prompt into detailed body-part descriptions,
 * then writes the action plan from the prompt and those descriptions, constrained to the plan's
 * JSON Schema where the engine supports it (llama.cpp turns it into a grammar), validated with
 * zod; errors go back to the model for another try, up to `maxAttempts`. A model that cannot
 * (a tiny one) leaves the plan to the rule-based parser, with a warning saying so: the user
 * still gets the motion the words name, never an unbounded loop.
 */
export async function textToPlan(options: TextToPlanOptions): Promise<TextToPlanResult> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_PLAN_ATTEMPTS;
  const descriptions = await expand(options);
  const schema = jsonSchema(actionPlanJsonSchema());
  const messages: ModelMessage[] = [...planExampleTurns(), { role: 'user', content: planRequestMessage(options.prompt, descriptions) }];
  let last: { text: string; errors: string } | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    const outcome = await attemptOnce(options, schema, messages);
    if ('plan' in outcome) {
      const plan = descriptions.length === 0 ? outcome.plan : { ...outcome.plan, descriptions };
      return { plan, source: 'text-model', attempts: attempt, descriptions, warnings: [] };
    }
    last = outcome;
    options.onRetry?.(attempt, outcome.errors);
    messages.push({ role: 'assistant', content: outcome.text.slice(0, ECHO_CHARS) || '(no answer)' }, { role: 'user', content: planRepairMessage(outcome.errors) });
  }
  const parsed = parseMotionPrompt(options.prompt);
  const warning = `The text model wrote no valid action plan in ${maxAttempts} attempts (${(last?.errors ?? '').trim().split('\n')[0]?.slice(0, 200) ?? ''}); the rule-based parser made the plan.`;
  const plan = descriptions.length === 0 ? parsed.plan : { ...parsed.plan, descriptions };
  return { plan, source: 'rules', attempts: maxAttempts, descriptions, warnings: [warning, ...parsed.warnings] };
}

/** The expansion: K sentences, one per line, each about one part of the body. */
async function expand(options: TextToPlanOptions): Promise<string[]> {
  const count = Math.min(8, Math.max(1, options.descriptions ?? DEFAULT_DESCRIPTION_COUNT));
  let text: string;
  try {
    const result = await generateText({
      model: options.model,
      system: expansionSystemPrompt(count),
      prompt: options.prompt,
      seed: options.seed,
      temperature: options.temperature ?? 0.2,
      maxOutputTokens: DESCRIPTION_TOKENS,
      abortSignal: options.signal,
      maxRetries: 0,
      providerOptions: { llamaCpp: { truncate: 'oldest' } },
    });
    text = result.text;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw toShenbiError(error, 'ENGINE_FAILED');
  }
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)、])\s*/, '').trim())
    .filter((line) => line !== '')
    .slice(0, count)
    .map((line) => line.slice(0, MAX_DESCRIPTION_CHARS));
}

/** One request; a local model whose context cannot hold the output limit is asked again with half its context for the answer. */
async function generatePlan(options: TextToPlanOptions, schema: ReturnType<typeof jsonSchema>, messages: ModelMessage[]) {
  const call = (maxOutputTokens: number) =>
    generateObject({
      model: options.model,
      schema,
      system: PLAN_SYSTEM_PROMPT,
      messages,
      seed: options.seed,
      temperature: options.temperature ?? 0.2,
      maxOutputTokens,
      abortSignal: options.signal,
      // Retries belong to the job runner and the provider wrappers; this loop retries on content only.
      maxRetries: 0,
      providerOptions: { llamaCpp: { truncate: 'oldest' } },
    });
  return withOutputFittingContext(options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, call);
}

async function attemptOnce(options: TextToPlanOptions, schema: ReturnType<typeof jsonSchema>, messages: ModelMessage[]): Promise<Attempt> {
  let object: unknown;
  try {
    object = (await generatePlan(options, schema, messages)).object;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // Text that is not JSON (or was cut off at the token limit) is a content failure the model can repair.
    if (NoObjectGeneratedError.isInstance(error)) {
      const why = error.finishReason === 'length' ? 'the answer stopped at the token limit before the JSON was complete' : `the answer is not JSON (${(error.cause as Error | undefined)?.message ?? error.message})`;
      return { text: error.text ?? '', errors: `  ${why}` };
    }
    throw toShenbiError(error, 'ENGINE_FAILED');
  }
  const text = JSON.stringify(object);
  const result = actionPlanSchema.safeParse(object);
  if (!result.success) return { text, errors: formatIssues(result.error).map((i) => `  ${i.path}: ${i.message}`).join('\n') };
  return { plan: result.data };
}
