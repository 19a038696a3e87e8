import type { JobRecord } from '../store/types.ts';

/**
 * Ends of jobs that ended in this process but that the store refused to record (a full
 * disk). The runner answers waiters from here, keeps the jobs' leases fresh (so no other
 * runner resumes a job that has ended) and writes each end again until it lands.
 */
export class UnrecordedEnds {
  readonly #pending = new Map<string, { record: JobRecord | undefined; write: () => Promise<boolean> }>();

  /** `record`: the job as it ended, when known; `write` resolves true once the end is stored. */
  add(jobId: string, record: JobRecord | undefined, write: () => Promise<boolean>): void {
    this.#pending.set(jobId, { record, write });
  }

  has(jobId: string): boolean {
    return this.#pending.has(jobId);
  }

  record(jobId: string): JobRecord | undefined {
    return this.#pending.get(jobId)?.record;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Tries every pending write once, one after the other; those that land are forgotten. */
  async retry(): Promise<void> {
    for (const [jobId, pending] of this.#pending) if (await pending.write()) this.#pending.delete(jobId);
  }
}
