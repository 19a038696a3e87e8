/**
 * Runs untrusted JavaScript in QuickJS compiled to WebAssembly. Each run gets a fresh
 * runtime and context (no state leaks between runs) with memory, stack and wall-time
 * limits. The context has no host bindings at all: only JSON goes in and out.
 */
import { getQuickJS, shouldInterruptAfterDeadline, type QuickJSWASMModule } from 'quickjs-emscripten';

export type SandboxErrorCode = 'SANDBOX_TIMEOUT' | 'SANDBOX_MEMORY' | 'SANDBOX_ERROR';

export interface SandboxRequest {
  readonly code: string;
  /** Name of a global function defined by `code`, called with `args`. */
  readonly entry: string;
  readonly args?: readonly unknown[];
  readonly timeoutMs?: number;
  readonly memoryBytes?: number;
  readonly maxStackBytes?: number;
}

export type SandboxResult =
  | { readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly error: { readonly code: SandboxErrorCode; readonly message: string }; readonly durationMs: number };

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

// Loading the WASM module is the slow part; do it once per process.
let modulePromise: Promise<QuickJSWASMModule> | undefined;
function loadModule(): Promise<QuickJSWASMModule> {
  modulePromise ??= getQuickJS();
  return modulePromise;
}

function classify(message: string, timedOut: boolean): SandboxErrorCode {
  if (/out of memory/i.test(message)) return 'SANDBOX_MEMORY';
  if (timedOut || /interrupted/i.test(message)) return 'SANDBOX_TIMEOUT';
  return 'SANDBOX_ERROR';
}

function describe(dumped: unknown): string {
  if (dumped && typeof dumped === 'object') {
    const { name, message } = dumped as { name?: unknown; message?: unknown };
    if (typeof message === 'string') return typeof name === 'string' ? `${name}: ${message}` : message;
  }
  return String(dumped);
}

export async function runInSandbox(request: SandboxRequest): Promise<SandboxResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;
  const fail = (code: SandboxErrorCode, message: string): SandboxResult => ({ ok: false, error: { code, message }, durationMs: elapsed() });
  if (!IDENTIFIER.test(request.entry)) return fail('SANDBOX_ERROR', `entry is not an identifier: ${request.entry}`);
  let argsJson: string;
  try {
    argsJson = JSON.stringify(request.args ?? []);
  } catch (err) {
    return fail('SANDBOX_ERROR', `args are not JSON: ${(err as Error).message}`);
  }
  const qjs = await loadModule();
  const timeoutMs = request.timeoutMs ?? 1000;
  const deadline = Date.now() + timeoutMs;
  const runtime = qjs.newRuntime();
  try {
    runtime.setMemoryLimit(request.memoryBytes ?? 32 * 1024 * 1024);
    runtime.setMaxStackSize(request.maxStackBytes ?? 512 * 1024);
    runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
    const ctx = runtime.newContext();
    try {
      // Script (not module) evaluation: `import` statements are syntax errors and no
      // std/os modules are registered, so dynamic import() has nothing to load.
      const source = `${request.code}\n;JSON.stringify((${request.entry})(...JSON.parse(${JSON.stringify(argsJson)})))`;
      const result = ctx.evalCode(source, 'candidate.js');
      if (result.error) {
        const dumped: unknown = ctx.dump(result.error);
        result.error.dispose();
        const message = describe(dumped);
        return fail(classify(message, Date.now() >= deadline), message);
      }
      const out: unknown = ctx.dump(result.value);
      result.value.dispose();
      const value: unknown = typeof out === 'string' ? JSON.parse(out) : null;
      return { ok: true, value, durationMs: elapsed() };
    } finally {
      // Drain promise jobs (still under the deadline) so the runtime frees cleanly.
      const drained = runtime.executePendingJobs();
      if (drained.error) drained.error.dispose();
      ctx.dispose();
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return fail(classify(message, Date.now() >= deadline), message);
  } finally {
    try {
      runtime.dispose();
    } catch {
      // The module may be unusable after an emscripten abort: load a fresh one next run.
      modulePromise = undefined;
      // A runtime that hit its memory limit can fail its leak assertion on dispose; the
      // WASM heap is still reclaimed, and the host must not crash.
    }
  }
}
