import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { JobEvent } from '../../core/progress.ts';
import { parseOrThrow } from '../../core/validation.ts';
import type { JobEventBus } from '../event-bus.ts';
import { openRedis, warnRedisError } from '../redis/connect.ts';
import { closeRedis } from '../redis/within.ts';
import { jobEventSchema } from './job-event-schema.ts';

const optionsSchema = z.object({
  url: z.string().regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL'),
  prefix: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (no colon)').default('shenbi'),
  listen: z.boolean().default(true),
});

/** What goes over the channel: the event and the process that sent it. */
const messageSchema = z.object({ origin: z.string().min(1).max(64), event: jobEventSchema });

/** Messages larger than this are dropped unread (a job's outputs are ids and small values). */
const MAX_MESSAGE_BYTES = 1_000_000;

/**
 * Job events over Redis pub/sub: one channel (`<prefix>:job-events`), JSON messages checked
 * with zod on receipt, each tagged with this bus's random origin so a process never hears
 * its own events. Pub/sub is at most once: a message published while a subscriber is
 * reconnecting is lost, which the runner tolerates (wait() still polls the store).
 */
export class RedisEventBus implements JobEventBus {
  readonly #origin = randomBytes(8).toString('hex');
  /** How this bus's own messages begin (JSON.stringify keeps key order): Redis echoes them back to our subscriber. */
  readonly #ownPrefix = `{"origin":"${this.#origin}",`;
  readonly #channel: string;
  readonly #publisher: Redis;
  /** Undefined for a bus that only sends (a worker that serves nothing and waits on nothing). */
  readonly #subscriber: Redis | undefined;
  readonly #listeners = new Set<(event: JobEvent) => void>();
  readonly #warn: (error: Error) => void;
  readonly #subscribed: Promise<void>;
  #closed = false;

  private constructor(url: string, prefix: string, publisher: Redis, subscriber: Redis | undefined) {
    this.#channel = `${prefix}:job-events`;
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#warn = warnRedisError(url);
    if (subscriber === undefined) {
      this.#subscribed = Promise.resolve();
      return;
    }
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#receive(message);
    });
    this.#subscribed = subscriber.subscribe(this.#channel).then(() => undefined);
    this.#subscribed.catch((error: unknown) => this.#warn(error instanceof Error ? error : new Error(String(error))));
  }

  /**
   * Connects (bounded, ~5 s each connection) or fails with QUEUE_UNAVAILABLE naming the redacted
   * URL. `listen: false` opens no subscriber: nothing arrives, and the process is not woken by
   * every event of every job (its own included, which Redis echoes back).
   */
  static async open(options: { url: string; prefix?: string; listen?: boolean }): Promise<RedisEventBus> {
    const valid = parseOrThrow(optionsSchema, options, 'event bus options', 'CONFIG_INVALID');
    const publisher = await openRedis(valid.url, { role: 'command' });
    let subscriber: Redis | undefined;
    try {
      if (valid.listen) subscriber = await openRedis(valid.url, { role: 'subscriber' });
    } catch (error) {
      publisher.disconnect();
      throw error;
    }
    const bus = new RedisEventBus(valid.url, valid.prefix, publisher, subscriber);
    await bus.ready();
    return bus;
  }

  publish(event: JobEvent): void {
    if (this.#closed) return;
    let message: string;
    try {
      message = JSON.stringify({ origin: this.#origin, event });
    } catch (error) {
      this.#warn(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#publisher.publish(this.#channel, message).catch((error: unknown) => this.#warn(error instanceof Error ? error : new Error(String(error))));
  }

  subscribe(listener: (event: JobEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  ready(): Promise<void> {
    return this.#subscribed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    await Promise.all([this.#subscriber === undefined ? undefined : closeRedis(this.#subscriber), closeRedis(this.#publisher)]);
  }

  #receive(message: string): void {
    // Our own echo is dropped before it is parsed: a worker would otherwise check every event it sends.
    if (message.length > MAX_MESSAGE_BYTES || message.startsWith(this.#ownPrefix)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const result = messageSchema.safeParse(parsed);
    // Someone else's message on our channel, or a newer version's event: not ours to read.
    if (!result.success || result.data.origin === this.#origin) return;
    const event = result.data.event as JobEvent;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#warn(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
