import { generateObject, jsonSchema, NoObjectGeneratedError, type LanguageModel, type ModelMessage } from 'ai';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { formatIssues } from '../../../core/validation.ts';
import { withOutputFittingContext } from '../../llama-cpp/fit-output.ts';
import { shortScriptSchema, type ShortScript } from '../short-script.ts';
import { scriptExampleTurns, scriptRepairMessage, scriptRequestMessage, scriptSystemPrompt } from './idea-to-script-prompt.ts';
import type { ScriptLanguage } from './language.ts';
import { repairScript } from './repair-script.ts';
import { sceneCountFor, spokenSeconds } from './scene-count.ts';
import { shortScriptJsonSchema } from './script-json-schema.ts';

export const DEFAULT_SCRIPT_ATTEMPTS = 3;
/** Cues a model is asked for per scene (the schema allows more for a user's own script). */
const CUES_ASKED = 2;
/** What of a failed answer goes back to the model: enough to see the mistake. */
const ECHO_CHARS = 4000;
/** Narration that runs this much over the duration is worth a warning. */
const OVERRUN = 1.25;

export interface IdeaToScriptOptions {
  /** A LanguageModelV3 (local llama.cpp, a provider, or a test's scripted model). */
  model: LanguageModel;
  idea: string;
  seconds: number;
  language: ScriptLanguage;
  seed?: number;
  signal?: AbortSignal;
  /** Scripts asked for, the first included (default 3). */
  maxAttempts?: number;
  /** Called after each attempt that failed, with its errors (progress for the step). */
  onRetry?: (attempt: number, errors: string) => void;
}

type Attempt = { script: ShortScript; repairs: string[] } | { text: string; errors: string };

/**
 * The text model expands one sentence into a titled script of sceneCountFor(seconds) scenes,
 * each narration sized to its share of the duration, constrained to the script's JSON Schema
 * (llama.cpp turns it into a grammar; providers into structured output), mended where it can
 * be (repairScript) and validated with zod; errors go back to the model for another try, up to
 * `maxAttempts`, then ENGINE_FAILED with the last errors — never an unbounded loop.
 */
export async function ideaToScript(options: IdeaToScriptOptions): Promise<{ script: ShortScript; warnings: string[] }> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_SCRIPT_ATTEMPTS;
  const scenes = sceneCountFor(options.seconds, options.language);
  const schema = jsonSchema(shortScriptJsonSchema({ scenes, cuesPerScene: CUES_ASKED }));
  const request = { idea: options.idea, seconds: options.seconds, scenes, language: options.language, cuesPerScene: CUES_ASKED };
  const messages: ModelMessage[] = [...scriptExampleTurns(options.language, CUES_ASKED), { role: 'user', content: scriptRequestMessage(request) }];
  // A Chinese narration is ~1–2 tokens a character, an English one ~1.3 a word; visuals and JSON on top.
  const maxOutputTokens = 200 + scenes * (options.language === 'zh' ? 260 : 200);
  const warnings: string[] = [];
  let last: { text: string; errors: string } | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    const outcome = await attemptOnce(options, schema, messages, maxOutputTokens, options.language);
    if ('script' in outcome) {
      warnings.push(...outcome.repairs, ...lengthWarnings(outcome.script, scenes, options.seconds, options.language));
      return { script: outcome.script, warnings };
    }
    last = outcome;
    options.onRetry?.(attempt, outcome.errors);
    warnings.push(`the text model's script ${attempt} was not valid (${firstLine(outcome.errors)}); it was asked again`);
    messages.push({ role: 'assistant', content: outcome.text.slice(0, ECHO_CHARS) || '(no answer)' }, { role: 'user', content: scriptRepairMessage(outcome.errors) });
  }
  throw new ShenbiError('ENGINE_FAILED', `The text model wrote no valid script in ${maxAttempts} attempts. Last errors:\n${last?.errors ?? '(none)'}`, {
    hint: 'Try a larger text model (--set model=…), or write the script yourself: --set script="Title\\nfirst scene\\nsecond scene…" (plain text: first line the title, then one line per scene).',
    details: { attempts: maxAttempts, errors: last?.errors ?? null, lastAnswer: last?.text.slice(0, 2000) ?? null },
  });
}

function firstLine(errors: string): string {
  return (errors.trim().split('\n')[0] ?? '').slice(0, 200);
}

/** Warnings a valid script still deserves: a different number of scenes, narration far longer than the duration. */
function lengthWarnings(script: ShortScript, asked: number, seconds: number, language: ScriptLanguage): string[] {
  const warnings: string[] = [];
  if (script.scenes.length !== asked) warnings.push(`the text model wrote ${script.scenes.length} scenes where ${asked} were asked for`);
  const spoken = script.scenes.reduce((sum, scene) => sum + spokenSeconds(scene.narration, language), 0);
  if (spoken > seconds * OVERRUN) warnings.push(`the narration runs about ${Math.round(spoken)} s, longer than the ${seconds} s asked for; the short will be longer`);
  return warnings;
}

/** One request; a local model whose context cannot hold the output limit is asked again with half its context for the answer. */
async function generateScript(options: IdeaToScriptOptions, schema: ReturnType<typeof jsonSchema>, messages: ModelMessage[], maxOutputTokens: number, language: ScriptLanguage) {
  const call = (limit: number) =>
    generateObject({
      model: options.model,
      schema,
      system: scriptSystemPrompt(language),
      messages,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      temperature: 0.7,
      maxOutputTokens: limit,
      abortSignal: options.signal,
      // Retries belong to the job runner and the provider wrappers; this loop retries on content only.
      maxRetries: 0,
      // llama.cpp: leave out the oldest turns (the example, earlier attempts) rather than fail on a small context.
      providerOptions: { llamaCpp: { truncate: 'oldest' } },
    });
  return withOutputFittingContext(maxOutputTokens, call);
}

async function attemptOnce(options: IdeaToScriptOptions, schema: ReturnType<typeof jsonSchema>, messages: ModelMessage[], maxOutputTokens: number, language: ScriptLanguage): Promise<Attempt> {
  let object: unknown;
  try {
    object = (await generateScript(options, schema, messages, maxOutputTokens, language)).object;
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
  const { value, repairs } = repairScript(object, CUES_ASKED);
  const result = shortScriptSchema.safeParse(value);
  if (!result.success) return { text, errors: formatIssues(result.error).map((i) => `  ${i.path}: ${i.message}`).join('\n') };
  return { script: { ...result.data, language }, repairs };
}
