import type { JobEvent } from '../core/progress.ts';
import type { JobRunner } from '../jobs/index.ts';

/** A job event with its position in the job's stream (SSE `id:`, for Last-Event-ID). */
export interface SequencedEvent {
  seq: number;
  event: JobEvent;
}

type Listener = (entry: SequencedEvent) => void;

interface JobLog {
  events: SequencedEvent[];
  listeners: Set<Listener>;
  ended: boolean;
  endedAt: number;
}

export interface JobEventLogOptions {
  /** How long an ended job's events stay for late subscribers (default 10 min). */
  keepEndedMs?: number;
  /** Most events kept per job; older progress events are dropped first (default 5000). */
  maxEventsPerJob?: number;
  /** Most jobs kept; the oldest ended ones go first (default 10 000). */
  maxJobs?: number;
}

const TERMINAL = new Set<JobEvent['type']>(['job.completed', 'job.failed', 'job.cancelled']);

/**
 * Records every job's events as the runner emits them, so a client that subscribes after
 * `POST /api/jobs` returned (the job may be half done, or done) still gets every event in
 * order. Subscribing replays what is recorded and then follows live, with no gap: both
 * happen synchronously on the event loop.
 */
export class JobEventLog {
  readonly #jobs = new Map<string, JobLog>();
  readonly #unsubscribe: () => void;
  readonly #keepEndedMs: number;
  readonly #maxEvents: number;
  readonly #maxJobs: number;

  constructor(runner: JobRunner, options: JobEventLogOptions = {}) {
    this.#keepEndedMs = options.keepEndedMs ?? 10 * 60_000;
    this.#maxEvents = options.maxEventsPerJob ?? 5000;
    this.#maxJobs = options.maxJobs ?? 10_000;
    this.#unsubscribe = runner.subscribe('*', (event) => this.#record(event));
  }

  /**
   * Replays the job's recorded events after `afterSeq`, then delivers new ones. Returns the
   * unsubscribe function and whether anything was ever recorded for the job.
   */
  subscribe(jobId: string, afterSeq: number, listener: Listener): { unsubscribe: () => void; known: boolean } {
    const known = this.#jobs.has(jobId);
    const log = this.#log(jobId);
    for (const entry of log.events) if (entry.seq > afterSeq) listener(entry);
    log.listeners.add(listener);
    return {
      known,
      unsubscribe: () => {
        log.listeners.delete(listener);
      },
    };
  }

  close(): void {
    this.#unsubscribe();
    this.#jobs.clear();
  }

  #log(jobId: string): JobLog {
    let log = this.#jobs.get(jobId);
    if (log === undefined) {
      log = { events: [], listeners: new Set(), ended: false, endedAt: 0 };
      this.#jobs.set(jobId, log);
      this.#evict();
    }
    return log;
  }

  #record(event: JobEvent): void {
    const log = this.#log(event.jobId);
    const last = log.events.at(-1);
    const entry = { seq: (last?.seq ?? 0) + 1, event };
    log.events.push(entry);
    if (log.events.length > this.#maxEvents) {
      // Keep the structure (starts, completions, the end); thin out progress ticks.
      const index = log.events.findIndex((e) => e.event.type === 'step.progress');
      log.events.splice(index >= 0 ? index : 0, 1);
    }
    if (TERMINAL.has(event.type)) {
      log.ended = true;
      log.endedAt = Date.now();
    }
    for (const listener of [...log.listeners]) listener(entry);
  }

  #evict(): void {
    const now = Date.now();
    for (const [id, log] of this.#jobs) {
      if (this.#jobs.size <= this.#maxJobs && !(log.ended && now - log.endedAt > this.#keepEndedMs)) continue;
      if (log.listeners.size === 0 && (log.ended || this.#jobs.size > this.#maxJobs)) this.#jobs.delete(id);
    }
  }
}
