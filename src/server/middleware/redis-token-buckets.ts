import { Redis } from 'ioredis';
import { MemoryTokenBuckets, type TakeResult, type TokenBuckets } from './token-buckets.ts';

/**
 * The same bucket as MemoryTokenBuckets, kept in a Redis hash and updated by one Lua script
 * (atomic, so servers sharing the Redis count every request once). Time is Redis's own
 * (TIME), so clock skew between servers does not refill anyone's bucket. The key expires
 * once the bucket would be full again. Returns {1} or {0, ms until a token}.
 */
const TAKE_TOKEN = `
local capacity = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local perMs = capacity / 60000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 61000)
if allowed == 1 then return {1, '0'} end
return {0, tostring((1 - tokens) / perMs)}
`;

/** A request waits at most this long for Redis before the local bucket decides. */
const COMMAND_TIMEOUT_MS = 250;
/** One warning per this period while Redis is away, not one per request. */
const WARN_EVERY_MS = 30_000;

type BucketRedis = Redis & { shenbiTakeToken(key: string, capacity: number): Promise<[number, string]> };

export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

export interface RedisTokenBucketsOptions {
  url: string;
  /** Key prefix (default 'shenbi'); keys are `<prefix>:ratelimit:<api key id>`. */
  prefix?: string;
}

/**
 * Rate limits counted in Redis (config `queue`), shared by every API server on it.
 * Redis unreachable → fail open to this process's own bucket, with a warning: the limit then
 * holds per server instead of in total. Rate limits protect capacity, not money or access (keys
 * and daily quotas live in the database and still hold), and a Redis outage already stalls the
 * shared queue; refusing every keyed request with 503 would turn it into a whole-API outage.
 */
export class RedisTokenBuckets implements TokenBuckets {
  readonly #redis: BucketRedis;
  readonly #prefix: string;
  readonly #fallback = new MemoryTokenBuckets();
  readonly #url: string;
  #warnedAt = -Infinity;

  constructor(options: RedisTokenBucketsOptions) {
    this.#url = redactRedisUrl(options.url);
    this.#prefix = options.prefix ?? 'shenbi';
    // No offline queue: while disconnected a request is decided locally at once, not delayed.
    this.#redis = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS, connectTimeout: 2000, lazyConnect: false }) as BucketRedis;
    this.#redis.defineCommand('shenbiTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
    this.#redis.on('error', (error: Error) => this.#warn(error));
  }

  async take(keyId: string, ratePerMinute: number): Promise<TakeResult> {
    try {
      const [allowed, retryMs] = await this.#redis.shenbiTakeToken(`${this.#prefix}:ratelimit:${keyId}`, ratePerMinute);
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: Number(retryMs) / 1000 };
    } catch (error) {
      this.#warn(error);
      return this.#fallback.takeNow(keyId, ratePerMinute);
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  #warn(error: unknown): void {
    const now = Date.now();
    if (now - this.#warnedAt < WARN_EVERY_MS) return;
    this.#warnedAt = now;
    process.emitWarning(`rate limits: Redis at ${this.#url} is not answering (${error instanceof Error ? error.message : String(error)}); counting in this process until it is back.`);
  }
}
