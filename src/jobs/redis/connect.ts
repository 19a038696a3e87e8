import { Redis, type RedisOptions } from 'ioredis';
import { ShenbiError } from '../../core/errors.ts';
import { redactRedisUrl } from './redact-url.ts';

/**
 * What a connection is for:
 * - `command`: ordinary commands (enqueue, counts, publish). A command issued while Redis is
 *   down fails after a retry or two (seconds), so a submit fails with QUEUE_UNAVAILABLE and the
 *   runner abandons the job instead of hanging.
 * - `worker`: BullMQ workers (blocking pops). BullMQ requires `maxRetriesPerRequest: null`:
 *   their commands wait for the reconnect instead.
 * - `subscriber`: pub/sub; waits for the reconnect and resubscribes.
 */
export type RedisRole = 'command' | 'worker' | 'subscriber';

export interface OpenRedisOptions {
  role: RedisRole;
  /** How long the first connection may take (default 5,000 ms). */
  connectTimeoutMs?: number;
  /** Called with connection errors after the first connect (the connection retries by itself). */
  onError?: (error: Error) => void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Longest pause between reconnect attempts once connected (an outage heals within this of Redis returning). */
const MAX_RECONNECT_DELAY_MS = 1_000;

/** ioredis options for a role; BullMQ duplicates them for each worker connection. */
export function redisOptions(role: RedisRole, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // Backoff 50, 100, … ms up to 1 s; never give up: a later outage must not end the process.
    retryStrategy: (times) => Math.min(times * 50, MAX_RECONNECT_DELAY_MS),
    maxRetriesPerRequest: role === 'command' ? 2 : null,
    enableReadyCheck: true,
    // Sends of a subscriber are (un)subscribes: replayed on reconnect by ioredis itself.
    autoResubscribe: true,
  };
}

/**
 * Opens a connection to `url` and waits (bounded) until it answers PING. Fails with
 * QUEUE_UNAVAILABLE naming the URL, password redacted. Once connected, the connection
 * reconnects with backoff forever; errors go to `onError` (an unhandled 'error' would
 * only be logged by ioredis, but we want them counted as warnings).
 */
export async function openRedis(url: string, options: OpenRedisOptions): Promise<Redis> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let redis: Redis;
  try {
    redis = new Redis(url, redisOptions(options.role, timeoutMs));
  } catch (error) {
    throw queueUnavailable(url, error);
  }
  let lastError: unknown;
  const recordError = (error: Error) => {
    lastError = error;
  };
  redis.on('error', recordError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    // connect() resolves on 'ready'; it keeps retrying on refusal, so the deadline bounds it.
    await Promise.race([redis.connect().then(() => redis.ping()), deadline]);
  } catch (error) {
    redis.disconnect();
    throw queueUnavailable(url, lastError ?? error);
  } finally {
    clearTimeout(timer);
    redis.off('error', recordError);
  }
  redis.on('error', options.onError ?? warnRedisError(url));
  return redis;
}

/** The error for a Redis that cannot be reached (or refused a command while down). */
export function queueUnavailable(url: string, cause: unknown, doing = 'connect to'): ShenbiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const shown = redactRedisUrl(url);
  return new ShenbiError('QUEUE_UNAVAILABLE', `Cannot ${doing} the job queue at ${shown}: ${scrub(reason, url)}`, {
    cause,
    details: { url: shown },
    hint: 'Check that Redis is running and reachable at that address (config `queue` or SHENBI_QUEUE), and its password.',
  });
}

/** A warning per connection error, at most one per second per URL (an outage repeats them). */
export function warnRedisError(url: string): (error: Error) => void {
  let lastAt = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < 1_000) return;
    lastAt = now;
    process.emitWarning(`Redis at ${redactRedisUrl(url)}: ${scrub(error.message, url)}`);
  };
}

/** Drivers may echo the URL in messages: never let the password through. */
function scrub(message: string, url: string): string {
  let password = '';
  try {
    const parsed = new URL(url);
    password = decodeURIComponent(parsed.password || parsed.username);
  } catch {
    return message.split(url).join('<redis URL>');
  }
  let out = message.split(url).join(redactRedisUrl(url));
  if (password.length >= 3) out = out.split(password).join('***');
  return out;
}
