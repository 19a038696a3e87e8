/**
 * One run inside a QuickJS instance, synchronously (this blocks its thread: it runs in a
 * sandbox worker, never on the server's event loop). Each run gets a fresh runtime and
 * context, so no state leaks between runs; the context has no host bindings at all, only
 * JSON goes in and out.
 */
import { shouldInterruptAfterDeadline } from 'quickjs-emscripten';
import { atMemoryMaximum, type BoundedQuickJS } from './bounded-quickjs.ts';
import { SANDBOX_LIMITS } from './sandbox-limits.ts';
import type { SandboxErrorCode, SandboxResult } from './sandbox-request.ts';

export interface SandboxJob {
  readonly code: string;
  readonly entry: string;
  readonly argsJson: string;
  readonly timeoutMs: number;
  readonly memoryBytes: number;
  readonly maxStackBytes: number;
}

export interface Evaluation {
  readonly result: SandboxResult;
  /**
   * The host engine, not the guest, failed mid-run (a V8 stack overflow inside WASM, an
   * Emscripten abort): the instance's state is unknown and it must not run again.
   */
  readonly poisoned: boolean;
}

function classify(message: string, timedOut: boolean, memoryFull: boolean): SandboxErrorCode {
  if (/out of memory/i.test(message)) return 'SANDBOX_MEMORY';
  if (timedOut || /interrupted/i.test(message)) return 'SANDBOX_TIMEOUT';
  // QuickJS throws a bare null when it cannot even allocate the error object.
  if (memoryFull) return 'SANDBOX_MEMORY';
  return 'SANDBOX_ERROR';
}

/** Error messages travel into job reports: a guest must not be able to make them large. */
const MAX_MESSAGE_CHARS = 2_000;

function describe(dumped: unknown): string {
  let text = String(dumped);
  if (dumped && typeof dumped === 'object') {
    const { name, message } = dumped as { name?: unknown; message?: unknown };
    if (typeof message === 'string') text = typeof name === 'string' ? `${name}: ${message}` : message;
  }
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length} characters)` : text;
}

export function evaluateInQuickJS(quickjs: BoundedQuickJS, job: SandboxJob): Evaluation {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
  const deadline = Date.now() + job.timeoutMs;
  const fail = (message: string, poisoned = false): Evaluation => ({
    result: { ok: false, error: { code: classify(message, Date.now() >= deadline, atMemoryMaximum(quickjs)), message }, durationMs: elapsed() },
    poisoned,
  });
  const runtime = quickjs.module.newRuntime();
  let evaluation: Evaluation;
  try {
    // Still set: it refuses any single allocation larger than the limit at once.
    runtime.setMemoryLimit(job.memoryBytes);
    runtime.setMaxStackSize(job.maxStackBytes);
    runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
    const ctx = runtime.newContext();
    try {
      // Script (not module) evaluation: `import` statements are syntax errors and no
      // std/os modules are registered, so dynamic import() has nothing to load.
      const source = `${job.code}\n;JSON.stringify((${job.entry})(...JSON.parse(${JSON.stringify(job.argsJson)})))`;
      const result = ctx.evalCode(source, 'candidate.js');
      if (result.error) {
        const dumped: unknown = ctx.dump(result.error);
        result.error.dispose();
        evaluation = fail(describe(dumped));
      } else {
        const length = ctx.typeof(result.value) === 'string' ? ctx.getProp(result.value, 'length').consume((handle) => ctx.getNumber(handle)) : 0;
        if (length > SANDBOX_LIMITS.maxResultJsonBytes) {
          result.value.dispose();
          const message = `the result is ${length} characters of JSON; at most ${SANDBOX_LIMITS.maxResultJsonBytes} may come back`;
          evaluation = { result: { ok: false, error: { code: 'SANDBOX_ERROR', message }, durationMs: elapsed() }, poisoned: false };
        } else {
          const out: unknown = ctx.dump(result.value);
          result.value.dispose();
          const value: unknown = typeof out === 'string' ? JSON.parse(out) : null;
          evaluation = { result: { ok: true, value, durationMs: elapsed() }, poisoned: false };
        }
      }
    } finally {
      // Drain promise jobs (still under the deadline) so the runtime frees cleanly.
      const drained = runtime.executePendingJobs();
      if (drained.error) drained.error.dispose();
      ctx.dispose();
    }
  } catch (err) {
    // Thrown by the host, not reported by QuickJS: e.g. V8's own stack overflow in deep recursion.
    evaluation = fail(describe(err instanceof Error ? err.message : err), true);
  }
  if (evaluation.poisoned) return evaluation; // the instance is dropped whole; do not touch its state
  try {
    runtime.dispose();
  } catch {
    // A runtime that hit its memory limit can fail its leak assertion on dispose.
    return { ...evaluation, poisoned: true };
  }
  return evaluation;
}
