import type { RetryPolicy } from '../core/pipeline.ts';

/** Used where neither the step definition nor the pipeline node says otherwise. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 10_000, factor: 2 };

/** Node settings override the step definition's, which override the defaults. */
export function resolveRetryPolicy(...layers: Array<Partial<RetryPolicy> | undefined>): RetryPolicy {
  let policy = DEFAULT_RETRY_POLICY;
  for (const layer of layers) if (layer !== undefined) policy = { ...policy, ...layer };
  return policy;
}

// The delay formula and the abortable sleep live in core, shared with the provider wrappers.
export { backoffDelay, sleep } from '../core/backoff.ts';
