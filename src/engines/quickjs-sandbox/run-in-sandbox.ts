/**
 * Runs untrusted JavaScript in QuickJS compiled to WebAssembly, on a sandbox thread (never
 * the caller's event loop). Each run gets a fresh runtime and context (no state leaks between
 * runs) with a heap bound the host enforces, a stack limit and a wall-time limit that ends in
 * the thread being killed if the guest does not stop. The context has no host bindings at all:
 * only JSON goes in and out.
 */
import { parseOrThrow } from '../../core/validation.ts';
import { SandboxPool } from './sandbox-pool.ts';
import { SANDBOX_LIMITS } from './sandbox-limits.ts';
import { SandboxRequest, type SandboxResult } from './sandbox-request.ts';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export interface RunInSandboxOptions {
  /** Aborting removes the run from the queue or kills its thread; the call rejects with the reason. */
  readonly signal?: AbortSignal;
  /** The pool to run on; default: one per process (see sandboxPool). */
  readonly pool?: SandboxPool;
}

let defaultPool: SandboxPool | undefined;

/** The process-wide sandbox pool, started on first use. */
export function sandboxPool(): SandboxPool {
  defaultPool ??= new SandboxPool();
  return defaultPool;
}

/**
 * A guest's failure (syntax error, exception, timeout, memory) is a result, not a throw.
 * Limits beyond SANDBOX_LIMITS throw INVALID_INPUT.
 */
export async function runInSandbox(request: SandboxRequest, options: RunInSandboxOptions = {}): Promise<SandboxResult> {
  const parsed = parseOrThrow(SandboxRequest, request, 'sandbox request');
  const fail = (message: string): SandboxResult => ({ ok: false, error: { code: 'SANDBOX_ERROR', message }, durationMs: 0 });
  if (!IDENTIFIER.test(parsed.entry)) return fail(`entry is not an identifier: ${parsed.entry}`);
  let argsJson: string;
  try {
    argsJson = JSON.stringify(parsed.args ?? []);
  } catch (err) {
    return fail(`args are not JSON: ${(err as Error).message}`);
  }
  const job = {
    code: parsed.code,
    entry: parsed.entry,
    argsJson,
    timeoutMs: parsed.timeoutMs ?? SANDBOX_LIMITS.defaultTimeoutMs,
    memoryBytes: parsed.memoryBytes ?? SANDBOX_LIMITS.defaultMemoryBytes,
    maxStackBytes: parsed.maxStackBytes ?? SANDBOX_LIMITS.maxStackBytes,
  };
  return (options.pool ?? sandboxPool()).run(job, options.signal);
}
