import { backoffDelay, sleep } from '../../core/backoff.ts';
import { isRetryableProviderError, retryAfterMs } from './errors.ts';

export interface ProviderRetryOptions {
  /** Retries after the first attempt; default 2. */
  retries?: number | undefined;
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
}

/**
 * `withRetry` for any provider call, not only language models (speech, music, plain fetch):
 * retries 429/5xx/timeouts/resets with backoff + jitter, honouring Retry-After (capped at
 * `maxDelayMs`); other errors and aborts are thrown at once, unchanged.
 */
export async function retryProviderCall<T>(call: () => Promise<T>, options: ProviderRetryOptions & { signal?: AbortSignal | undefined } = {}): Promise<T> {
  const retries = options.retries ?? 2;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= retries || options.signal?.aborted || !isRetryableProviderError(error)) throw error;
      const backoff = backoffDelay({ maxAttempts: retries + 1, initialDelayMs: base, maxDelayMs: max, factor: 2 }, attempt + 1);
      await sleep(Math.min(max, retryAfterMs(error) ?? backoff), options.signal);
    }
  }
}
