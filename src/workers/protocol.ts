import type { SerializedError } from '../core/errors.ts';

/** Main thread → worker: call export `name` of `module` (a file: URL) with `args`. */
export interface OffThreadRequest {
  readonly module: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

/**
 * What a task threw, in a form that survives structured cloning (which keeps an Error's
 * message but drops its code, hint and details).
 */
export type OffThreadFailure =
  | { readonly kind: 'shenbi'; readonly error: SerializedError; readonly retryable: boolean }
  | { readonly kind: 'error'; readonly name: string; readonly message: string };

/** Worker → main thread. A task's own failure comes back as a value; only a crash rejects. */
export type OffThreadOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly failure: OffThreadFailure };
