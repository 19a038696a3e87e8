import type { MiddlewareHandler } from 'hono';
import { ShenbiError } from '../../core/errors.ts';
import type { ApiKeyRepository } from '../auth/api-key-repository.ts';
import { utcDay } from '../auth/api-key-repository.ts';
import type { ServerEnv } from '../context.ts';
import { MemoryTokenBuckets, type TokenBuckets } from './token-buckets.ts';

function secondsToUtcMidnight(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.ceil((next.getTime() - now) / 1000);
}

/**
 * Per-key limits: a token bucket of `ratePerMinute` requests (refilled continuously), and
 * daily quotas of requests (counted atomically here), tokens and media seconds (reserved
 * before work and settled after by the routes; a spent day is refused here). Over either →
 * 429 with Retry-After.
 * Keyless (local) requests are not limited. The buckets are this process's (default) or
 * shared through Redis by every server on it (RedisTokenBuckets, when a queue URL is set);
 * pass one instance to every mount so /v1 and /api draw from the same bucket.
 */
export function rateLimit(keys: ApiKeyRepository, now: () => number = Date.now, buckets: TokenBuckets = new MemoryTokenBuckets(now)): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const { key } = c.get('principal');
    if (key === null) return next();
    const at = now();
    if (key.ratePerMinute !== null) {
      const capacity = key.ratePerMinute;
      const taken = await buckets.take(key.id, capacity);
      if (!taken.allowed) {
        throw new ShenbiError('RATE_LIMITED', `Rate limit of ${capacity} requests per minute reached.`, { details: { retryAfterSeconds: taken.retryAfterSeconds, limit: capacity } });
      }
    }
    const day = utcDay(at);
    const exhausted = (what: string, usage: unknown) =>
      new ShenbiError('QUOTA_EXCEEDED', `Today's quota of ${what} for this API key is used up.`, { details: { retryAfterSeconds: secondsToUtcMidnight(at), usage } });
    // Tokens and media time are reserved by the routes that spend them (quota/quota-meter.ts);
    // here a key whose day is spent is turned away before any work.
    if (key.quotaTokens !== null || key.quotaMediaSeconds !== null) {
      const usage = await keys.usage(key.id, day);
      if (key.quotaTokens !== null && usage.tokens >= key.quotaTokens) throw exhausted(`tokens (${key.quotaTokens})`, usage);
      if (key.quotaMediaSeconds !== null && usage.mediaMs >= key.quotaMediaSeconds * 1000) throw exhausted(`media seconds (${key.quotaMediaSeconds})`, usage);
    }
    if (!(await keys.countRequest(key.id, key.quotaRequests, day))) throw exhausted(`requests (${key.quotaRequests})`, await keys.usage(key.id, day));
    await next();
  };
}
