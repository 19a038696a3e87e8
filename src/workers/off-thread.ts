/**
 * Engine code calls CPU-bound functions through here so they run on the worker pool, not on
 * the event loop that serves the API. A task is an exported function of a module, named by
 * the module's URL and the export: the worker imports the same module and calls the same
 * code, so the result is exactly what the in-thread call would give.
 *
 *   const normalizeTask = offThreadTask(new URL('./loudness.ts', import.meta.url), loudness, 'normalizeLoudness');
 *   const out = await runOffThread(normalizeTask, [audio, options], { signal, transfer: movable(audio.samples) });
 *
 * Arguments and results are structured-cloned (plain data, typed arrays, Maps; no functions
 * or signals). Typed arrays in the result are moved back, not copied; `transfer` moves
 * argument buffers the caller no longer needs. Aborting `signal` terminates the thread running
 * the task (replaced on the next task) and rejects with the signal's reason if it is a
 * ShenbiError, else with JOB_CANCELLED (as an aborted ffmpeg does). A thread that
 * crashes fails its task with ENGINE_FAILED. Inside a worker, tasks run in that thread.
 */
import { isMainThread } from 'node:worker_threads';
import { ERROR_CODES, isErrorCode, ShenbiError } from '../core/errors.ts';
import { workerPool } from './pool.ts';
import type { OffThreadFailure, OffThreadOutcome, OffThreadRequest } from './protocol.ts';
import { ownBuffer } from './transferables.ts';

/** Any function a task may name (its arguments and result must survive structured cloning). */
export type TaskFunction = (...args: never[]) => unknown;

type FunctionNames<M> = { [K in keyof M]: M[K] extends TaskFunction ? K : never }[keyof M] & string;

export interface OffThreadTask<F extends TaskFunction> {
  /** The file: URL the worker imports. */
  readonly module: string;
  /** The export it calls. */
  readonly name: string;
  /** The same function in this thread (read lazily, so modules may import each other). */
  readonly local: () => F;
}

/**
 * Names export `name` of the module at `module` as a task. `exports` is that module's
 * namespace (`import * as m from './m.ts'`): it types the task and serves in-thread runs.
 */
export function offThreadTask<M, K extends FunctionNames<M>>(module: URL, exports: M, name: K): OffThreadTask<Extract<M[K], TaskFunction>> {
  if (module.protocol !== 'file:') throw new TypeError(`off-thread tasks live in local modules, not ${module.href}`);
  return { module: emittedModule(module), name, local: () => exports[name] as Extract<M[K], TaskFunction> };
}

/** True in the compiled build (dist/node), where every `./x.ts` of the sources was emitted as `./x.js`. */
const COMPILED = import.meta.url.endsWith('.js');

/** The module the worker must import: sources name `./loudness.ts`, which the compiled build holds as `./loudness.js`. */
function emittedModule(module: URL): string {
  return COMPILED && module.pathname.endsWith('.ts') ? `${module.href.slice(0, -'.ts'.length)}.js` : module.href;
}

export interface OffThreadOptions {
  /** Aborting terminates the thread running the task; the call rejects with JOB_CANCELLED (or the signal's ShenbiError reason). */
  signal?: AbortSignal;
  /** Argument buffers to move instead of copy (unusable here afterwards); see `movable`. */
  transfer?: readonly ArrayBuffer[];
  /** Run in this thread: for work too small to be worth the hop (a few milliseconds). */
  inline?: boolean;
}

/** Runs `task(...args)` on the worker pool (see the module comment). */
export async function runOffThread<F extends TaskFunction>(task: OffThreadTask<F>, args: Parameters<F>, options: OffThreadOptions = {}): Promise<Awaited<ReturnType<F>>> {
  const { signal } = options;
  if (signal?.aborted) throw cancelled(signal, task.name);
  if (options.inline === true || !isMainThread) return (await task.local()(...args)) as Awaited<ReturnType<F>>;
  const request: OffThreadRequest = { module: task.module, name: task.name, args };
  let outcome: OffThreadOutcome;
  try {
    outcome = (await workerPool().run(request, { transferList: [...new Set(options.transfer ?? [])], ...(signal === undefined ? {} : { signal }) })) as OffThreadOutcome;
  } catch (error) {
    if (signal?.aborted) throw cancelled(signal, task.name);
    const message = error instanceof Error ? error.message : String(error);
    throw new ShenbiError('ENGINE_FAILED', `The worker thread running ${task.name} failed: ${message}`, { cause: error, details: { task: task.name } });
  }
  if (outcome.ok) return outcome.value as Awaited<ReturnType<F>>;
  throw rebuildFailure(outcome.failure);
}

/**
 * The buffers of `views` that can be moved: each view must cover its whole buffer (a
 * subarray's buffer holds other data, so that one is copied instead). Pass as `transfer`
 * only what the caller will not read again.
 */
export function movable(...views: readonly ArrayBufferView[]): ArrayBuffer[] {
  return views.map(ownBuffer).filter((buffer) => buffer !== undefined);
}

/** The signal's reason when it is a ShenbiError (the runner's JOB_CANCELLED, a step failure), else JOB_CANCELLED. */
function cancelled(signal: AbortSignal, name: string): ShenbiError {
  const reason: unknown = signal.reason;
  return reason instanceof ShenbiError ? reason : new ShenbiError('JOB_CANCELLED', `${name} was cancelled.`, { cause: reason });
}

const BUILTIN_ERRORS: Readonly<Record<string, new (message: string) => Error>> = { RangeError, TypeError, SyntaxError };

function rebuildFailure(failure: OffThreadFailure): Error {
  if (failure.kind === 'shenbi') {
    const { code, message, hint, details } = failure.error;
    const known = isErrorCode(code) ? code : 'ENGINE_FAILED';
    return new ShenbiError(known, message, {
      ...(hint === undefined ? {} : { hint }),
      ...(details === undefined ? {} : { details }),
      ...(failure.retryable === ERROR_CODES[known].retryable ? {} : { retryable: failure.retryable }),
    });
  }
  const Builtin = BUILTIN_ERRORS[failure.name];
  const error = Builtin === undefined ? new Error(failure.message) : new Builtin(failure.message);
  if (Builtin === undefined) error.name = failure.name;
  return error;
}
