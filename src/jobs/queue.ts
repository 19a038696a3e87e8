import type { Lane } from './lanes.ts';

/** Runs one job that the queue delivers; resolves when the job has ended or been handed off. */
export type JobHandler = (jobId: string) => Promise<void>;

/** Where a job should go: the lane of the engine its heaviest step needs (see lanes.ts). */
export interface JobRoute {
  lane: Lane;
  /** The model the job loads (affinity.ts): a shared queue offers it first to a worker that ran a job with the same model lately. */
  affinity?: string;
}

/** Waiting work of one lane, for metrics and readiness. */
export interface LaneDepth {
  lane: Lane;
  /** Jobs waiting to be delivered. */
  waiting: number;
  /** Age of the oldest waiting job (ms), 0 when none waits. */
  oldestAgeMs: number;
}

/**
 * Where submitted jobs wait for a runner. The job itself (spec, input, state) lives in the
 * store; the queue only carries ids, so a shared queue (BullMQ on Redis) can deliver them
 * to workers on many machines, each of which claims the job in the shared database before
 * running it (JobRepository.claim), so a duplicate delivery never runs a job twice.
 */
export interface JobQueue {
  /**
   * True when every job enqueued here is delivered to this process's handler (the in-process
   * queue). A shared queue says false: the submitter then follows its jobs through the store.
   */
  readonly deliversLocally: boolean;
  /** Adds a persisted job; a shared queue delivers it only to workers that run `route.lane` (in-process: ignored). Enqueuing an id that is still waiting is a no-op. */
  enqueue(jobId: string, route: JobRoute): Promise<void>;
  /** Starts delivering jobs to `handler`; called once. */
  process(handler: JobHandler): void;
  /**
   * This process has just run a job of `route` (and holds its model loaded for a while): a
   * shared queue offers it the next jobs of the same affinity first. In-process: absent.
   */
  warmed?(route: JobRoute): void;
  /** Takes a job out before it is delivered; false if it was not waiting here. */
  remove(jobId: string): Promise<boolean>;
  /** How many jobs are waiting (not yet delivered) in this process's view. */
  size(): number;
  /** Waiting jobs per lane (a shared queue asks Redis; in-process: one 'all' figure under each lane it was given). */
  depth(): Promise<LaneDepth[]>;
  /** Stops delivering; resolves once running handlers have returned. Waiting ids are dropped (they stay queued in the store). */
  close(): Promise<void>;
}

/**
 * The embedded default: a FIFO in memory that runs up to `concurrency` handlers at once.
 * Losing it in a crash loses nothing: queued jobs are in the store and `recover()` finds them.
 */
export class InProcessQueue implements JobQueue {
  readonly deliversLocally = true;
  readonly #waiting: string[] = [];
  /** Index of the next id to deliver; the array is compacted lazily (shift() is O(n)). */
  #head = 0;
  readonly #removed = new Set<string>();
  /** Lane and enqueue time of each waiting id (for depth()). */
  readonly #routes = new Map<string, { lane: Lane; at: number }>();
  readonly #running = new Set<Promise<void>>();
  #handler: JobHandler | undefined;
  #closed = false;

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`queue concurrency must be a positive integer, got ${concurrency}`);
  }

  async enqueue(jobId: string, route: JobRoute): Promise<void> {
    if (this.#closed) return;
    this.#removed.delete(jobId);
    this.#routes.set(jobId, { lane: route.lane, at: Date.now() });
    this.#waiting.push(jobId);
    this.#pump();
  }

  process(handler: JobHandler): void {
    if (this.#handler !== undefined) throw new Error('InProcessQueue.process() was already called');
    this.#handler = handler;
    this.#pump();
  }

  async remove(jobId: string): Promise<boolean> {
    const index = this.#waiting.indexOf(jobId, this.#head);
    if (index < 0 || this.#removed.has(jobId)) return false;
    this.#removed.add(jobId);
    return true;
  }

  size(): number {
    return this.#waiting.length - this.#head - this.#removed.size;
  }

  async depth(): Promise<LaneDepth[]> {
    const now = Date.now();
    const byLane = new Map<Lane, LaneDepth>();
    for (let i = this.#head; i < this.#waiting.length; i += 1) {
      const jobId = this.#waiting[i] as string;
      const route = this.#routes.get(jobId);
      if (route === undefined || this.#removed.has(jobId)) continue;
      const depth = byLane.get(route.lane) ?? { lane: route.lane, waiting: 0, oldestAgeMs: 0 };
      depth.waiting += 1;
      depth.oldestAgeMs = Math.max(depth.oldestAgeMs, now - route.at);
      byLane.set(route.lane, depth);
    }
    return [...byLane.values()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#head = 0;
    this.#removed.clear();
    this.#routes.clear();
    await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    const handler = this.#handler;
    if (handler === undefined) return;
    while (!this.#closed && this.#running.size < this.concurrency && this.#head < this.#waiting.length) {
      const jobId = this.#waiting[this.#head] as string;
      this.#head += 1;
      this.#routes.delete(jobId);
      if (this.#removed.delete(jobId)) continue;
      const run: Promise<void> = handler(jobId)
        .catch((error: unknown) => {
          process.emitWarning(`job ${jobId} handler failed: ${error instanceof Error ? error.message : String(error)}`);
        })
        .finally(() => {
          this.#running.delete(run);
          this.#pump();
        });
      this.#running.add(run);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
