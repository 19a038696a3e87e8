/**
 * What one sandbox run, and one request made of many runs, may ask for. A request beyond
 * these is refused with INVALID_INPUT before anything runs: the caps bound how long a caller
 * can hold a sandbox thread and how much memory its guest can make the host map.
 */
import { z } from 'zod';

const MIB = 1024 * 1024;

export const SANDBOX_LIMITS = {
  defaultTimeoutMs: 1_000,
  /** The longest one run may take (the in-guest deadline; the thread is killed shortly after). */
  maxTimeoutMs: 10_000,
  defaultMemoryBytes: 32 * MIB,
  minMemoryBytes: 1 * MIB,
  /** The most heap one guest may use, on top of the WASM instance's fixed 16 MiB base. */
  maxMemoryBytes: 128 * MIB,
  /**
   * QuickJS's own recursion limit. Larger values are refused: past this the WASM shadow stack
   * itself overflows into the heap (measured), so the limit must trip first.
   */
  maxStackBytes: 512 * 1024,
  /** Serialized result size: a guest's answer is copied into the host (and into job reports). */
  maxResultJsonBytes: 1 * MIB,
  /** Worst-case sandbox time of one request: runs × per-run timeout (10 minutes). */
  maxRequestBudgetMs: 600_000,
  /** Programs one request may ask for, and examples each is run on. */
  maxSamples: 64,
  maxExamples: 100,
} as const;

/** Per-run timeout as callers give it. */
export const sandboxTimeoutMs = z
  .number()
  .int()
  .min(10)
  .max(SANDBOX_LIMITS.maxTimeoutMs, `a sandbox run may last at most ${SANDBOX_LIMITS.maxTimeoutMs} ms`);

/** Per-run guest heap as callers give it. */
export const sandboxMemoryBytes = z
  .number()
  .int()
  .min(SANDBOX_LIMITS.minMemoryBytes, `a sandbox needs at least ${SANDBOX_LIMITS.minMemoryBytes} bytes of memory`)
  .max(SANDBOX_LIMITS.maxMemoryBytes, `a sandbox may use at most ${SANDBOX_LIMITS.maxMemoryBytes} bytes (${SANDBOX_LIMITS.maxMemoryBytes / MIB} MiB) of memory`);

export const sandboxStackBytes = z
  .number()
  .int()
  .min(16 * 1024)
  .max(SANDBOX_LIMITS.maxStackBytes, `a sandbox stack may be at most ${SANDBOX_LIMITS.maxStackBytes} bytes`);

/** The worst-case sandbox time of `runs` runs; undefined when it fits the per-request cap. */
export function sandboxBudgetProblem(runs: number, timeoutMs: number): string | undefined {
  const budgetMs = runs * timeoutMs;
  if (budgetMs <= SANDBOX_LIMITS.maxRequestBudgetMs) return undefined;
  return (
    `examples × samples × timeoutMs = ${budgetMs} ms of sandbox time; at most ${SANDBOX_LIMITS.maxRequestBudgetMs} ms ` +
    `(${SANDBOX_LIMITS.maxRequestBudgetMs / 60_000} minutes) per request: use fewer samples, fewer examples or a shorter timeout`
  );
}
