import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { toShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { LANES, laneSchema, type Lane } from '../lanes.ts';
import type { JobHandler, JobQueue, JobRoute, LaneDepth } from '../queue.ts';
import { openRedis, queueUnavailable, warnRedisError } from '../redis/connect.ts';
import { redactRedisUrl } from '../redis/redact-url.ts';
import { closeRedis, settlesWithin } from '../redis/within.ts';

export interface BullMqQueueOptions {
  /** redis://… */
  url: string;
  /** Lanes this process consumes; [] = produce only (an API server with --no-worker). */
  lanes: readonly Lane[];
  /** Jobs of each consumed lane run at once in this process. */
  concurrency: Readonly<Record<Lane, number>>;
  /** Redis key prefix (default 'shenbi'); tests use a unique one. */
  prefix?: string;
  /** BullMQ lock/stall timings (defaults 2000/1000 ms). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long a job waits for a worker that holds its model before any worker of its lane may take it (default 1,000 ms). */
  affinityWaitMs?: number;
  /** How long after running a job a worker is offered the next ones of the same model first (default 60 s, the model pool's idle unload). */
  warmForMs?: number;
}

const optionsSchema = z
  .object({
    url: z.string().regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL'),
    lanes: z.array(laneSchema),
    concurrency: z.partialRecord(laneSchema, z.number().int().min(1).max(10_000)),
    prefix: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (no colon)').default('shenbi'),
    lockDurationMs: z.number().int().min(100).default(2_000),
    stalledIntervalMs: z.number().int().min(50).default(1_000),
    affinityWaitMs: z.number().int().min(0).max(60_000).default(1_000),
    warmForMs: z.number().int().min(100).max(3_600_000).default(60_000),
  })
  .superRefine((options, ctx) => {
    for (const lane of options.lanes) {
      if (options.concurrency[lane] === undefined) ctx.addIssue({ code: 'custom', path: ['concurrency', lane], message: `no concurrency for consumed lane ${lane}` });
    }
  });

/**
 * How long an enqueue may wait for Redis. The command connection gives up after a couple of
 * reconnect attempts; this bounds the rest (a Redis that accepts but never answers).
 */
const ENQUEUE_TIMEOUT_MS = 5_000;
/** size() is synchronous: it answers from the last count and refreshes it at most this often. */
const SIZE_REFRESH_MS = 1_000;
/**
 * Redeliveries after stalls are not how poison jobs end: the runner's `maxRecoveries`
 * (counted in the store, where every runner sees it) decides. BullMQ only redelivers.
 */
const MAX_STALLED_COUNT = 1_000_000;
const RUN_RETRY_DELAY_MS = 1_000;
/** After our handlers returned, how long BullMQ may take to record their ends before its connections are dropped (Redis down). */
const CLOSE_GRACE_MS = 2_000;
/** How often a producer reads which models are warm where (never on the submit path itself). */
const WARM_REFRESH_MS = 1_000;
/** Models one worker takes affine jobs for at once (each is a BullMQ worker with its own blocking connection). */
const MAX_WARM_PER_WORKER = 8;
/** Affinity queues one process keeps producer handles for; past it, jobs go to their lane only. */
const MAX_AFFINITY_QUEUES = 1_000;
/** What affinity.ts makes: safe in a queue name. */
const AFFINITY = /^m[0-9a-f]{16}$/;

/**
 * The shared queue: BullMQ on Redis. One BullMQ queue per lane, named `jobs-<lane>` under the
 * key prefix (keys `shenbi:jobs-video:…`), so a worker takes only the lanes it declares. The
 * BullMQ job id is our job id with no payload (the job lives in the store), so enqueuing an id
 * that is still waiting is a no-op; finished BullMQ jobs are removed at once so the recovery
 * loop can enqueue the same id again. A worker that dies mid-job stops renewing its lock and
 * BullMQ's stall check hands the job to another worker within lockDuration + stalledInterval;
 * there the store's claim decides whether it runs (its lease is fresh: not yet).
 */
export class BullMqQueue implements JobQueue {
  readonly deliversLocally = false;
  readonly #url: string;
  readonly #options: z.output<typeof optionsSchema>;
  readonly #command: Redis;
  readonly #workerTemplate: Redis | undefined;
  readonly #queues: ReadonlyMap<Lane, Queue>;
  readonly #workers: Worker[] = [];
  /** Handlers running now: close() waits for them itself, since BullMQ's own close hangs while Redis is down. */
  readonly #running = new Set<Promise<void>>();
  /** The connections BullMQ made for our workers, dropped by close() if BullMQ cannot close them (Redis down). */
  readonly #workerClients = new Map<Worker, Disconnectable[]>();
  /** Lanes of ids enqueued here, so remove() asks one queue (others are looked up in all). */
  readonly #laneOf = new Map<string, Lane>();
  readonly #warn: (error: Error) => void;
  #size = 0;
  #sizeAt = 0;
  #handler: JobHandler | undefined;
  #closed = false;
  /** Producer side: affinity → until when some worker holds that model (read from Redis every second at most). */
  #warmUntil = new Map<string, number>();
  #warmReadAt = 0;
  #warmReading: Promise<ReadonlyMap<string, number>> | undefined;
  readonly #affinityQueues = new Map<string, Queue>();
  /** Consumer side: the models this worker ran lately, each with the BullMQ worker taking its affine jobs. */
  readonly #warm = new Map<string, { worker: Worker; timer: NodeJS.Timeout | undefined }>();

  private constructor(url: string, options: z.output<typeof optionsSchema>, command: Redis, workerTemplate: Redis | undefined) {
    this.#url = url;
    this.#options = options;
    this.#command = command;
    this.#workerTemplate = workerTemplate;
    this.#warn = warnRedisError(url);
    const queues = new Map<Lane, Queue>();
    for (const lane of LANES) {
      const queue = new Queue(queueName(lane), {
        connection: command,
        prefix: options.prefix,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
      });
      // An EventEmitter 'error' with no listener would end the process.
      queue.on('error', this.#warn);
      queues.set(lane, queue);
    }
    this.#queues = queues;
  }

  /** Connects (bounded, ~5 s) or fails with QUEUE_UNAVAILABLE naming the URL without its password. */
  static async open(options: BullMqQueueOptions): Promise<BullMqQueue> {
    const valid = parseOrThrow(optionsSchema, options, 'queue options', 'CONFIG_INVALID');
    const command = await openRedis(options.url, { role: 'command' });
    let workerTemplate: Redis | undefined;
    try {
      // Never used itself: BullMQ duplicates it (with maxRetriesPerRequest null) per worker.
      if (valid.lanes.length > 0) workerTemplate = await openRedis(options.url, { role: 'worker' });
    } catch (error) {
      command.disconnect();
      throw error;
    }
    return new BullMqQueue(options.url, valid, command, workerTemplate);
  }

  /**
   * A job whose model some worker holds (route.affinity, warm in the last snapshot) goes to that
   * model's queue, which only such workers read, and to its lane delayed by affinityWaitMs: if no
   * warm worker takes it by then (busy, or gone), any worker of the lane does. The store's claim
   * keeps the two deliveries from running it twice; the warm worker withdraws the delayed copy.
   */
  async enqueue(jobId: string, route: JobRoute): Promise<void> {
    if (this.#closed) return;
    const queue = this.#queue(route.lane);
    this.#refreshWarmSoon();
    const { affinity } = route;
    const affine = affinity !== undefined && AFFINITY.test(affinity) && (this.#warmUntil.get(affinity) ?? 0) > Date.now() ? this.#affinityQueue(route.lane, affinity) : undefined;
    const adds =
      affine === undefined
        ? queue.add('job', {}, { jobId })
        : Promise.all([affine.add('job', {}, { jobId }), queue.add('job', {}, { jobId, delay: this.#options.affinityWaitMs })]);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        adds,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      throw queueUnavailable(this.#url, error, `enqueue job ${jobId} on`);
    } finally {
      clearTimeout(timer);
    }
    this.#laneOf.set(jobId, route.lane);
    if (this.#laneOf.size > 10_000) this.#laneOf.delete(this.#laneOf.keys().next().value as string);
    this.#size += 1;
  }

  process(handler: JobHandler): void {
    if (this.#handler !== undefined) throw new Error('BullMqQueue.process() was already called');
    this.#handler = handler;
    const template = this.#workerTemplate;
    if (template === undefined || this.#closed) return;
    for (const lane of this.#options.lanes) this.#workers.push(this.#consume(queueName(lane), lane, (job) => this.#deliver(job), template));
  }

  /** A BullMQ worker taking jobs of one queue with the lane's concurrency and our lock timings. */
  #consume(name: string, lane: Lane, handle: (job: Job) => Promise<void>, template: Redis): Worker {
    const worker = new Worker(name, handle, {
      connection: template,
      prefix: this.#options.prefix,
      concurrency: this.#options.concurrency[lane] ?? 1,
      lockDuration: this.#options.lockDurationMs,
      stalledInterval: this.#options.stalledIntervalMs,
      maxStalledCount: MAX_STALLED_COUNT,
      // After a Redis outage BullMQ waits this long before fetching again (its default, 15 s, would stall work).
      runRetryDelay: RUN_RETRY_DELAY_MS,
      autorun: true,
    });
    worker.on('error', this.#warn);
    worker.on('failed', (job, error) => {
      process.emitWarning(`queue ${name}: job ${job?.id ?? '?'} failed in BullMQ: ${error.message}`);
    });
    void this.#trackClients(worker);
    return worker;
  }

  warmed(route: JobRoute): void {
    const { affinity, lane } = route;
    const template = this.#workerTemplate;
    if (affinity === undefined || !AFFINITY.test(affinity) || template === undefined || this.#closed || !this.#options.lanes.includes(lane)) return;
    const until = Date.now() + this.#options.warmForMs;
    let warm = this.#warm.get(affinity);
    if (warm === undefined) {
      if (this.#warm.size >= MAX_WARM_PER_WORKER) this.#cool(this.#warm.keys().next().value as string);
      // With the lane's concurrency, on top of the lane's own: see docs/deploy.md "Model affinity".
      const worker = this.#consume(affinityQueueName(lane, affinity), lane, (job) => this.#deliverAffine(job, lane), template);
      warm = { worker, timer: undefined };
      this.#warm.set(affinity, warm);
    } else {
      // Most recently warmed last: the first entry is the one to let go when full.
      this.#warm.delete(affinity);
      this.#warm.set(affinity, warm);
    }
    clearTimeout(warm.timer);
    warm.timer = setTimeout(() => this.#cool(affinity), this.#options.warmForMs);
    warm.timer.unref();
    // Producers read this hash; an entry past its time is simply stale (another worker may renew it).
    this.#command.hset(this.#warmKey, affinity, String(until)).catch((error: unknown) => this.#warn(error instanceof Error ? error : new Error(String(error))));
  }

  /** Which models are warm on some worker, and until when (epoch ms), read from Redis now. */
  async warmModels(): Promise<ReadonlyMap<string, number>> {
    this.#warmReading ??= (async () => {
      try {
        const fields = await this.#command.hgetall(this.#warmKey);
        const now = Date.now();
        const warm = new Map<string, number>();
        const stale: string[] = [];
        for (const [affinity, until] of Object.entries(fields)) {
          if (Number(until) > now) warm.set(affinity, Number(until));
          else stale.push(affinity);
        }
        // Lapsed entries are dropped by whoever reads them, so the hash holds live models only.
        if (stale.length > 0) await this.#command.hdel(this.#warmKey, ...stale).catch(() => 0);
        this.#warmUntil = warm;
        this.#warmReadAt = Date.now();
        return warm;
      } finally {
        this.#warmReading = undefined;
      }
    })();
    return this.#warmReading;
  }

  async remove(jobId: string): Promise<boolean> {
    const known = this.#laneOf.get(jobId);
    const lanes = known === undefined ? LANES : [known];
    for (const lane of lanes) {
      const queue = this.#queue(lane);
      const job = await queue.getJob(jobId);
      if (job === undefined || job === null) continue;
      if ((await job.getState()) !== 'waiting') return false;
      // 0 when a worker took it meanwhile (it is locked).
      const removed = (await queue.remove(jobId)) === 1;
      if (removed) {
        this.#laneOf.delete(jobId);
        this.#size = Math.max(0, this.#size - 1);
      }
      return removed;
    }
    return false;
  }

  size(): number {
    if (!this.#closed && Date.now() - this.#sizeAt > SIZE_REFRESH_MS) {
      this.#sizeAt = Date.now();
      this.depth().catch(() => undefined);
    }
    return this.#size;
  }

  async depth(): Promise<LaneDepth[]> {
    const now = Date.now();
    const depths = await Promise.all(
      LANES.map(async (lane): Promise<LaneDepth> => {
        const queue = this.#queue(lane);
        const waiting = await queue.getWaitingCount();
        if (waiting === 0) return { lane, waiting, oldestAgeMs: 0 };
        // asc: the oldest first (BullMQ pushes new jobs on the other end of the wait list).
        const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
        // Hosts' clocks differ a little: an age is never negative.
        return { lane, waiting, oldestAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest.timestamp) };
      }),
    );
    this.#size = depths.reduce((sum, depth) => sum + depth.waiting, 0);
    this.#sizeAt = Date.now();
    return depths;
  }

  /**
   * Stops taking jobs, waits for running handlers to return, then closes every connection.
   * With Redis down BullMQ cannot record the ends and would wait forever: after a grace period
   * the connections are dropped (those jobs stay active in Redis; its stall check redelivers them).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const warm of this.#warm.values()) {
      clearTimeout(warm.timer);
      this.#workers.push(warm.worker);
    }
    this.#warm.clear();
    const graceful = Promise.allSettled(this.#workers.map((worker) => worker.close()));
    await Promise.allSettled([...this.#running]);
    if (!(await settlesWithin(graceful, CLOSE_GRACE_MS))) {
      // BullMQ's close waits on a QUIT that Redis cannot answer; its connections would keep reconnecting.
      for (const clients of this.#workerClients.values()) for (const client of clients) client.disconnect();
      // BullMQ closes its lock renewer only after the jobs' ends are recorded, which now never
      // happens: its timer would keep the process alive. (Internal field; absent in other versions.)
      for (const worker of this.#workers) await settlesWithin(stopLockRenewer(worker), CLOSE_GRACE_MS);
    }
    const queues = [...this.#queues.values(), ...this.#affinityQueues.values()];
    if (!(await settlesWithin(Promise.allSettled(queues.map((queue) => queue.close())), CLOSE_GRACE_MS))) {
      await settlesWithin(Promise.allSettled(queues.map((queue) => queue.disconnect())), CLOSE_GRACE_MS);
    }
    await Promise.all([this.#command, this.#workerTemplate].map((redis) => (redis === undefined ? undefined : closeRedis(redis))));
  }

  /** The URL this queue talks to, password redacted (logs, readiness). */
  get url(): string {
    return redactRedisUrl(this.#url);
  }

  async #trackClients(worker: Worker): Promise<void> {
    try {
      await worker.waitUntilReady();
      const backend: unknown = worker.getBackend();
      if (typeof backend !== 'object' || backend === null) return;
      const { client, blockingClient } = backend as { client?: Promise<unknown>; blockingClient?: Promise<unknown> };
      for (const each of await Promise.all([client, blockingClient])) {
        if (isDisconnectable(each)) this.#workerClients.set(worker, [...(this.#workerClients.get(worker) ?? []), each]);
      }
    } catch {
      // Not connected yet when closed: BullMQ's own close disconnects a client still initializing.
    }
  }

  async #deliver(job: Job): Promise<void> {
    const handler = this.#handler;
    const jobId = job.id;
    if (handler === undefined || jobId === undefined) return;
    const run = handler(jobId).catch((error: unknown) => {
      // Completing the BullMQ job anyway: the store holds the job's state and the runner's
      // recovery loop decides what happens next; a failed BullMQ job would only be dropped.
      process.emitWarning(`job ${jobId} handler failed: ${toShenbiError(error).message}`);
    });
    this.#running.add(run);
    try {
      await run;
    } finally {
      this.#running.delete(run);
    }
  }

  /** A job from a model's queue: the delayed copy in its lane is withdrawn (without waiting), then it runs as any other. */
  async #deliverAffine(job: Job, lane: Lane): Promise<void> {
    const jobId = job.id;
    if (jobId !== undefined) void this.#withdrawDelayed(lane, jobId);
    await this.#deliver(job);
  }

  async #withdrawDelayed(lane: Lane, jobId: string): Promise<void> {
    try {
      const copy = await this.#queue(lane).getJob(jobId);
      // Already due and taken: the store's claim settles who runs it.
      if (copy !== undefined && copy !== null && (await copy.getState()) === 'delayed') await copy.remove();
    } catch {
      // Taken meanwhile (locked) or Redis away: the copy is delivered later and found taken.
    }
  }

  /** This worker stops taking a model's affine jobs (it ran none for warmForMs, or it warms too many). */
  #cool(affinity: string): void {
    const warm = this.#warm.get(affinity);
    if (warm === undefined) return;
    this.#warm.delete(affinity);
    clearTimeout(warm.timer);
    // Jobs it is running go on; waiting affine jobs reach the lane through their delayed copies.
    warm.worker.close().then(
      () => this.#workerClients.delete(warm.worker),
      (error: unknown) => this.#warn(error instanceof Error ? error : new Error(String(error))),
    );
  }

  #refreshWarmSoon(): void {
    if (this.#closed || this.#warmReading !== undefined || Date.now() - this.#warmReadAt < WARM_REFRESH_MS) return;
    this.#warmReadAt = Date.now();
    this.warmModels().catch(() => undefined);
  }

  #affinityQueue(lane: Lane, affinity: string): Queue | undefined {
    const name = affinityQueueName(lane, affinity);
    let queue = this.#affinityQueues.get(name);
    if (queue === undefined) {
      if (this.#affinityQueues.size >= MAX_AFFINITY_QUEUES) return undefined;
      queue = new Queue(name, { connection: this.#command, prefix: this.#options.prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 } });
      queue.on('error', this.#warn);
      this.#affinityQueues.set(name, queue);
    }
    return queue;
  }

  get #warmKey(): string {
    return `${this.#options.prefix}:warm-models`;
  }

  #queue(lane: Lane): Queue {
    const queue = this.#queues.get(lane);
    if (queue === undefined) throw new RangeError(`unknown lane ${String(lane)}`);
    return queue;
  }
}

function stopLockRenewer(worker: Worker): Promise<unknown> {
  const manager: unknown = (worker as unknown as { lockManager?: unknown }).lockManager;
  if (typeof manager !== 'object' || manager === null) return Promise.resolve();
  const close = (manager as { close?: unknown }).close;
  return typeof close === 'function' ? Promise.resolve(close.call(manager)) : Promise.resolve();
}

interface Disconnectable {
  disconnect(): void;
}

function isDisconnectable(value: unknown): value is Disconnectable {
  return typeof value === 'object' && value !== null && typeof (value as { disconnect?: unknown }).disconnect === 'function';
}

function queueName(lane: Lane): string {
  return `jobs-${lane}`;
}

/** `jobs-text.m0123456789abcdef`: read only by workers that ran a job with that model lately. */
function affinityQueueName(lane: Lane, affinity: string): string {
  return `${queueName(lane)}.${affinity}`;
}
