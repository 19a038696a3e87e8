import { toShenbiError } from '../core/errors.ts';
import type { JobEvent } from '../core/progress.ts';
import type { JobRunner } from '../jobs/index.ts';
import type { JobRepository } from '../store/types.ts';
import { JobStoreFollower } from './job-store-follower.ts';

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
  /** Set once the job is read from the store (another process runs it). */
  follower: JobStoreFollower | undefined;
  /** A store read for it is under way. */
  polling: boolean;
  /** Steps started and not yet ended, and steps completed: the same step event from the event bus and the store is recorded once. */
  running: Set<string>;
  completed: Set<string>;
  started: boolean;
}

export interface JobEventLogOptions {
  /** How long an ended job's events stay for late subscribers (default 10 min). */
  keepEndedMs?: number;
  /** Most events kept per job; older progress events are dropped first (default 5000). */
  maxEventsPerJob?: number;
  /** Most jobs kept; the oldest ended ones go first (default 10 000). */
  maxJobs?: number;
  /** How often a watched job that another process runs is read from the store (default 1,000 ms). */
  followEveryMs?: number;
}

const TERMINAL = new Set<JobEvent['type']>(['job.completed', 'job.failed', 'job.cancelled']);

/**
 * Records every job's events as the runner emits them, so a client that subscribes after
 * `POST /api/jobs` returned (the job may be half done, or done) still gets every event in
 * order. Subscribing replays what is recorded and then follows live, with no gap: both
 * happen synchronously on the event loop. A watched job that this process does not run
 * (another process runs it, or ran it and died) is followed through the store instead, for
 * all its subscribers at once, until it ends: every stream ends with the job's end.
 */
export class JobEventLog {
  readonly #jobs = new Map<string, JobLog>();
  readonly #runner: JobRunner;
  readonly #store: JobRepository;
  readonly #unsubscribe: () => void;
  readonly #keepEndedMs: number;
  readonly #maxEvents: number;
  readonly #maxJobs: number;
  readonly #followTimer: NodeJS.Timeout;
  #closed = false;

  constructor(runner: JobRunner, store: JobRepository, options: JobEventLogOptions = {}) {
    this.#runner = runner;
    this.#store = store;
    this.#keepEndedMs = options.keepEndedMs ?? 10 * 60_000;
    this.#maxEvents = options.maxEventsPerJob ?? 5000;
    this.#maxJobs = options.maxJobs ?? 10_000;
    this.#unsubscribe = runner.subscribe('*', (event) => this.#record(event));
    // One timer for every followed job.
    this.#followTimer = setInterval(() => this.#followAll(), options.followEveryMs ?? 1000);
    this.#followTimer.unref();
  }

  /**
   * Replays the job's recorded events after `afterSeq`, then delivers new ones. Returns the
   * unsubscribe function, whether any event was recorded for the job before, and whether its
   * end was (then nothing more will come).
   */
  subscribe(jobId: string, afterSeq: number, listener: Listener): { unsubscribe: () => void; known: boolean; ended: boolean } {
    const log = this.#log(jobId);
    const known = log.events.length > 0;
    const ended = log.ended;
    for (const entry of log.events) if (entry.seq > afterSeq) listener(entry);
    log.listeners.add(listener);
    // Not run here: read it now rather than at the next tick (after the caller has had its say).
    // With an event bus its events arrive as they happen and the tick is only the fallback for
    // a lost message: reading the store at once would cost each watched job two queries.
    if (!ended && !this.#runner.relaysEvents) setImmediate(() => this.#follow(jobId));
    return {
      known,
      ended,
      unsubscribe: () => {
        log.listeners.delete(listener);
        // Nothing recorded and nobody waiting: keep no entry for it.
        if (log.listeners.size === 0 && log.events.length === 0 && this.#jobs.get(jobId) === log) this.#jobs.delete(jobId);
      },
    };
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#followTimer);
    this.#unsubscribe();
    this.#jobs.clear();
  }

  #log(jobId: string): JobLog {
    let log = this.#jobs.get(jobId);
    if (log === undefined) {
      log = { events: [], listeners: new Set(), ended: false, endedAt: 0, follower: undefined, polling: false, running: new Set(), completed: new Set(), started: false };
      this.#jobs.set(jobId, log);
      this.#evict();
    }
    return log;
  }

  #followAll(): void {
    for (const [jobId, log] of this.#jobs) if (log.listeners.size > 0 && !log.ended) this.#follow(jobId);
  }

  /** Reads a watched job that this process does not run from the store and records what changed. */
  #follow(jobId: string): void {
    const log = this.#jobs.get(jobId);
    if (this.#closed || log === undefined || log.ended || log.polling || log.listeners.size === 0 || this.#runner.runsHere(jobId)) return;
    log.polling = true;
    void (async () => {
      try {
        const job = await this.#store.find(jobId);
        if (job === undefined) return;
        const steps = await this.#store.steps(jobId);
        // Taken up here meanwhile (recovered): the runner's own events follow.
        if (log.ended || this.#runner.runsHere(jobId) || this.#jobs.get(jobId) !== log) return;
        log.follower ??= new JobStoreFollower(log.events.map((entry) => entry.event));
        for (const event of log.follower.next(job, steps)) this.#record(event);
      } catch (error) {
        if (!this.#closed) process.emitWarning(`following job ${jobId} through the store failed (tried again): ${toShenbiError(error).message}`);
      } finally {
        log.polling = false;
      }
    })();
  }

  #record(event: JobEvent): void {
    const log = this.#log(event.jobId);
    // A job ends once: the same end seen twice (its runner here, and the store) is sent once.
    if (log.ended || isRepeat(log, event)) return;
    JobEventLog.#note(log, event);
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

  /** Remembers which structural events the job has had (see isRepeat). */
  static #note(log: JobLog, event: JobEvent): void {
    if (event.type === 'job.started') log.started = true;
    else if (event.type === 'step.started') log.running.add(event.stepId);
    else if (event.type === 'step.completed') {
      log.running.delete(event.stepId);
      log.completed.add(event.stepId);
    } else if (event.type === 'step.retry') log.running.delete(event.stepId);
  }

  #evict(): void {
    const now = Date.now();
    for (const [id, log] of this.#jobs) {
      if (this.#jobs.size <= this.#maxJobs && !(log.ended && now - log.endedAt > this.#keepEndedMs)) continue;
      if (log.listeners.size === 0 && (log.ended || this.#jobs.size > this.#maxJobs)) this.#jobs.delete(id);
    }
  }
}

/**
 * A job run by another process reaches this log twice when an event bus carries its events
 * and the store follower reads its snapshots: a start or completion already recorded is not
 * recorded again, whichever way it came first.
 */
function isRepeat(log: JobLog, event: JobEvent): boolean {
  if (event.type === 'job.started') return log.started;
  if (event.type === 'step.started') return log.running.has(event.stepId) || log.completed.has(event.stepId);
  if (event.type === 'step.completed') return log.completed.has(event.stepId);
  return false;
}
