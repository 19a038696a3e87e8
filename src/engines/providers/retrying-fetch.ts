import { backoffDelay, sleep } from '../../core/backoff.ts';

export interface FetchRetryOptions {
  retries: number;
  baseDelayMs: number;
  maxDelayMs?: number;
}

function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Retries one HTTP request (not the whole provider job) on 429, 5xx and dropped connections,
 * with exponential backoff and jitter, honouring Retry-After: a flaky status poll must not
 * resubmit a paid generation. The last answer (or error) is passed on for the caller to map.
 */
export function retryingFetch(inner: typeof fetch, options: FetchRetryOptions): typeof fetch {
  const max = options.maxDelayMs ?? 30_000;
  const policy = { maxAttempts: options.retries + 1, initialDelayMs: options.baseDelayMs, maxDelayMs: max, factor: 2 };
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= options.retries;
      let response: Response;
      try {
        response = await inner(input, init);
      } catch (error) {
        if (last || init?.signal?.aborted || !(error instanceof TypeError)) throw error;
        await sleep(backoffDelay(policy, attempt + 1), init?.signal ?? undefined);
        continue;
      }
      if (last || !(response.status === 429 || response.status >= 500)) return response;
      await response.body?.cancel();
      await sleep(Math.min(max, retryAfter(response) ?? backoffDelay(policy, attempt + 1)), init?.signal ?? undefined);
    }
  };
}
