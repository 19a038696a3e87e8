import type { Context, MiddlewareHandler } from 'hono';
import { ShenbiError } from '../../core/errors.ts';
import type { ApiKeyRepository } from '../auth/api-key-repository.ts';
import { utcDay } from '../auth/api-key-repository.ts';
import type { ServerEnv } from '../context.ts';

interface Bucket {
  tokens: number;
  at: number;
}

function secondsToUtcMidnight(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.ceil((next.getTime() - now) / 1000);
}

/**
 * Per-key limits: a token bucket of `ratePerMinute` requests (refilled continuously), and
 * daily quotas of requests, tokens and media seconds. Over either → 429 with Retry-After.
 * Keyless (local) requests are not limited.
 */
export function rateLimit(keys: ApiKeyRepository, now: () => number = Date.now): MiddlewareHandler<ServerEnv> {
  const buckets = new Map<string, Bucket>();
  return async (c, next) => {
    const { key } = c.get('principal');
    if (key === null) return next();
    const at = now();
    if (key.ratePerMinute !== null) {
      const capacity = key.ratePerMinute;
      const perMs = capacity / 60_000;
      const bucket = buckets.get(key.id) ?? { tokens: capacity, at };
      bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.at) * perMs);
      bucket.at = at;
      buckets.set(key.id, bucket);
      if (bucket.tokens < 1) {
        const retryAfterSeconds = (1 - bucket.tokens) / perMs / 1000;
        throw new ShenbiError('RATE_LIMITED', `Rate limit of ${capacity} requests per minute reached.`, { details: { retryAfterSeconds, limit: capacity } });
      }
      bucket.tokens -= 1;
    }
    if (key.quotaRequests !== null || key.quotaTokens !== null || key.quotaMediaSeconds !== null) {
      const usage = await keys.usage(key.id, utcDay(at));
      const over =
        key.quotaRequests !== null && usage.requests >= key.quotaRequests
          ? `requests (${key.quotaRequests})`
          : key.quotaTokens !== null && usage.tokens >= key.quotaTokens
            ? `tokens (${key.quotaTokens})`
            : key.quotaMediaSeconds !== null && usage.mediaMs >= key.quotaMediaSeconds * 1000
              ? `media seconds (${key.quotaMediaSeconds})`
              : undefined;
      if (over !== undefined) {
        throw new ShenbiError('QUOTA_EXCEEDED', `Today's quota of ${over} for this API key is used up.`, { details: { retryAfterSeconds: secondsToUtcMidnight(at), usage } });
      }
    }
    await keys.addUsage(key.id, { requests: 1 }, utcDay(at));
    await next();
  };
}

/** Adds tokens or media time to the calling key's usage (no-op for keyless requests). */
export async function recordUsage(c: Context<ServerEnv>, keys: ApiKeyRepository, delta: { tokens?: number; mediaMs?: number }): Promise<void> {
  const { key } = c.get('principal');
  if (key === null) return;
  await keys.addUsage(key.id, delta);
}
