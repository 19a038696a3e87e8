import type { RetryPolicy } from '../core/pipeline.ts';

/** Used where neither the step definition nor the pipeline node says otherwise. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 10_000, factor: 2 };

/** Node settings override the step definition's, which override the defaults. */
export function resolveRetryPolicy(...layers: Array<Partial<RetryPolicy> | undefined>): RetryPolicy {
  let policy = DEFAULT_RETRY_POLICY;
  for (const layer of layers) if (layer !== undefined) policy = { ...policy, ...layer };
  return policy;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed: exponential, capped, with
 * "equal jitter" (half fixed, half random) so retries of many jobs spread out instead of
 * hitting a busy engine in lockstep, while still growing with every attempt.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
