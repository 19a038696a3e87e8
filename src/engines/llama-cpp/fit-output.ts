import { ShenbiError } from '../../core/errors.ts';

/**
 * Calls `call(wanted)`; when a local model's context cannot hold that output limit
 * (CONTEXT_OVERFLOW with its context size), calls once more with half the context for the
 * answer, so a small model still answers (its earliest turns left out by `truncate: 'oldest'`).
 * Import-free beyond errors: structured-output engines use it without loading llama.cpp.
 */
export async function withOutputFittingContext<T>(wanted: number, call: (maxOutputTokens: number) => Promise<T>): Promise<T> {
  try {
    return await call(wanted);
  } catch (error) {
    const contextSize = error instanceof ShenbiError && error.code === 'CONTEXT_OVERFLOW' ? Number((error.details as { contextSize?: unknown } | undefined)?.contextSize) : NaN;
    if (!(contextSize > 0) || Math.floor(contextSize / 2) >= wanted) throw error;
    return call(Math.floor(contextSize / 2));
  }
}
