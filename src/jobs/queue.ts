/** Runs one job that the queue delivers; resolves when the job has ended or been handed off. */
export type JobHandler = (jobId: string) => Promise<void>;

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
  /** Adds a persisted job. */
  enqueue(jobId: string): Promise<void>;
  /** Starts delivering jobs to `handler`; called once. */
  process(handler: JobHandler): void;
  /** Takes a job out before it is delivered; false if it was not waiting here. */
  remove(jobId: string): Promise<boolean>;
  /** How many jobs are waiting (not yet delivered). */
  size(): number;
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
  readonly #running = new Set<Promise<void>>();
  #handler: JobHandler | undefined;
  #closed = false;

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`queue concurrency must be a positive integer, got ${concurrency}`);
  }

  async enqueue(jobId: string): Promise<void> {
    if (this.#closed) return;
    this.#removed.delete(jobId);
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

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#head = 0;
    this.#removed.clear();
    await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    const handler = this.#handler;
    if (handler === undefined) return;
    while (!this.#closed && this.#running.size < this.concurrency && this.#head < this.#waiting.length) {
      const jobId = this.#waiting[this.#head] as string;
      this.#head += 1;
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
