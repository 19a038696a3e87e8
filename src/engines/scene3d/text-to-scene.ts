import { withOutputFittingContext } from '../llama-cpp/fit-output.ts';
import { generateObject, jsonSchema, NoObjectGeneratedError, type LanguageModel, type ModelMessage } from 'ai';
import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import { buildScene } from './build-scene.ts';
import { sceneProgramJsonSchema } from './text-to-scene-schema.ts';
import { SCENE_SYSTEM_PROMPT, sceneExampleTurns, sceneRepairMessage, sceneRequestMessage } from './text-to-scene-prompt.ts';
import type { BuildSceneOptions, BuiltScene } from './types.ts';
import { validateSceneProgram } from './validate-program.ts';

export const DEFAULT_SCENE_ATTEMPTS = 3;
/** A built-in program is 1–3 k tokens of JSON; room for a larger one, bounded so a looping model stops. */
const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
/** What of a failed answer goes back to the model: enough to see the mistake, not the whole context. */
const ECHO_CHARS = 6000;

export interface TextToSceneOptions {
  model: LanguageModel;
  prompt: string;
  seed: number;
  build: BuildSceneOptions;
  /** Programs asked for, the first included (default 3). */
  maxAttempts?: number;
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Called after each attempt that failed, with its errors (progress for the step). */
  onRetry?: (attempt: number, errors: string) => void;
  /** The kernel; replaceable in tests only. */
  buildScene?: typeof buildScene;
}

export interface TextToSceneResult {
  built: BuiltScene;
  /** Attempts used, 1 when the first program built. */
  attempts: number;
}

/** One attempt's outcome: a built scene, or the errors to send back. */
type Attempt = { built: BuiltScene } | { text: string; errors: string };

/**
 * The text model writes a scene program; it is validated (zod, then the kernel's build) and,
 * when it fails, the errors go back to the model for another try, up to `maxAttempts`. The
 * output is constrained to the program's JSON Schema where the engine supports it (llama.cpp
 * turns it into a grammar; providers into structured output), so most failures are values
 * out of range or shapes the kernel refuses, which the errors name by path.
 * Ends with SCENE_INVALID carrying the last errors, never an unbounded loop.
 */
export async function textToScene(options: TextToSceneOptions): Promise<TextToSceneResult> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_SCENE_ATTEMPTS;
  const build = options.buildScene ?? buildScene;
  const schema = jsonSchema(sceneProgramJsonSchema());
  const messages: ModelMessage[] = [...sceneExampleTurns(options.prompt, options.seed), { role: 'user', content: sceneRequestMessage(options.prompt) }];
  let last: { text: string; errors: string } | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    options.signal?.throwIfAborted();
    const outcome = await attemptOnce(options, build, schema, messages);
    if ('built' in outcome) return { built: outcome.built, attempts: attempt };
    last = outcome;
    options.onRetry?.(attempt, outcome.errors);
    messages.push({ role: 'assistant', content: outcome.text.slice(0, ECHO_CHARS) || '(no answer)' }, { role: 'user', content: sceneRepairMessage(outcome.errors) });
  }
  throw new ShenbiError('SCENE_INVALID', `The text model wrote no buildable scene program in ${maxAttempts} attempts. Last errors:\n${last?.errors ?? '(none)'}`, {
    hint: 'Try a larger text model, a built-in object (run without --set model), or pass a program with --set program=…',
    details: { attempts: maxAttempts, errors: last?.errors ?? null, lastAnswer: last?.text.slice(0, 2000) ?? null },
  });
}

/**
 * One request. A local model whose context cannot hold the output limit says so
 * (CONTEXT_OVERFLOW with its context size); the request is then made once more with half the
 * context for the answer, the examples (earliest turns) left out as needed.
 */
async function generateProgram(options: TextToSceneOptions, schema: ReturnType<typeof jsonSchema>, messages: ModelMessage[]) {
  const call = (maxOutputTokens: number) =>
    generateObject({
      model: options.model,
      schema,
      system: SCENE_SYSTEM_PROMPT,
      messages,
      seed: options.seed,
      temperature: options.temperature ?? 0.2,
      maxOutputTokens,
      abortSignal: options.signal,
      // Retries belong to the job runner and the provider wrappers; this loop retries on content only.
      maxRetries: 0,
      // llama.cpp: leave out the oldest turns (examples, earlier attempts) rather than fail on a small context.
      providerOptions: { llamaCpp: { truncate: 'oldest' } },
    });
  return withOutputFittingContext(options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS, call);
}

async function attemptOnce(options: TextToSceneOptions, build: typeof buildScene, schema: ReturnType<typeof jsonSchema>, messages: ModelMessage[]): Promise<Attempt> {
  let object: unknown;
  let text: string;
  try {
    const result = await generateProgram(options, schema, messages);
    object = result.object;
    text = JSON.stringify(result.object);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // Text that is not JSON (or was cut off at the token limit) is a content failure the model can repair.
    if (NoObjectGeneratedError.isInstance(error)) {
      const answer = error.text ?? '';
      const why = error.finishReason === 'length' ? 'the answer stopped at the token limit before the JSON was complete' : `the answer is not JSON (${(error.cause as Error | undefined)?.message ?? error.message})`;
      return { text: answer, errors: `  ${why}` };
    }
    throw toShenbiError(error, 'ENGINE_FAILED');
  }
  try {
    const program = validateSceneProgram(object);
    return { built: await build(program, options.build, options.signal) };
  } catch (error) {
    if (error instanceof ShenbiError && error.code === 'SCENE_INVALID') return { text, errors: error.message };
    throw error;
  }
}
