import type { JobEvent } from '../core/progress.ts';

export type JobEventListener = (event: JobEvent) => void;

/** Subscribe to one job by id, or to every job with '*'. */
export const ALL_JOBS = '*';

/**
 * In-process fan-out of job events. Emitting is skipped entirely when nobody listens, so
 * the runner can ask `wants(jobId)` before building an event on its hot path. A listener
 * that throws is reported as a warning and does not disturb the job or other listeners.
 */
export class JobEvents {
  readonly #byJob = new Map<string, Set<JobEventListener>>();
  readonly #all = new Set<JobEventListener>();

  subscribe(jobId: string, listener: JobEventListener): () => void {
    if (jobId === ALL_JOBS) {
      this.#all.add(listener);
      return () => {
        this.#all.delete(listener);
      };
    }
    let listeners = this.#byJob.get(jobId);
    if (listeners === undefined) {
      listeners = new Set();
      this.#byJob.set(jobId, listeners);
    }
    listeners.add(listener);
    return () => {
      const current = this.#byJob.get(jobId);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.#byJob.delete(jobId);
    };
  }

  wants(jobId: string): boolean {
    return this.#all.size > 0 || this.#byJob.has(jobId);
  }

  emit(event: JobEvent): void {
    const listeners = this.#byJob.get(event.jobId);
    if (listeners !== undefined) for (const listener of [...listeners]) deliver(listener, event);
    if (this.#all.size > 0) for (const listener of [...this.#all]) deliver(listener, event);
  }
}

function deliver(listener: JobEventListener, event: JobEvent): void {
  try {
    listener(event);
  } catch (error) {
    process.emitWarning(`a job event listener threw on ${event.type} of ${event.jobId}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
