import { TERMINAL_JOB_STATUSES, type JobEvent, type StepStatus } from '../core/progress.ts';
import type { JobRecord, JobStepRecord } from '../store/types.ts';

const DONE: ReadonlySet<StepStatus> = new Set(['completed', 'cached']);

/**
 * The events of a job that another process runs (a CLI run, `jobs recover`, another server,
 * or this server before a restart), read back from the store: each snapshot of the job and
 * its steps, compared with the one before, becomes job.started, step.started, step.completed
 * and finally the job's end. Progress ticks, partial results and retries are not stored, so
 * they are not replayed; a short step may show only its completion.
 */
export class JobStoreFollower {
  #started: boolean;
  #ended = false;
  readonly #steps = new Map<string, { status: StepStatus; attempts: number }>();

  /** `seen`: events this process already recorded for the job (it ran here before): not sent twice. */
  constructor(seen: readonly JobEvent[] = []) {
    this.#started = seen.some((event) => event.type === 'job.started');
    for (const event of seen) {
      // Attempts are counted per run in events and in all in the store: only a later attempt is new.
      if (event.type === 'step.started') this.#steps.set(event.stepId, { status: 'running', attempts: Number.MAX_SAFE_INTEGER });
      else if (event.type === 'step.completed') this.#steps.set(event.stepId, { status: event.cached ? 'cached' : 'completed', attempts: 0 });
    }
  }

  /** The events between the last snapshot and this one; the job's end comes once, last. */
  next(job: JobRecord, steps: readonly JobStepRecord[], now: number = Date.now()): JobEvent[] {
    if (this.#ended) return [];
    const events: JobEvent[] = [];
    if (!this.#started && (job.status !== 'queued' || steps.some((step) => step.status !== 'pending'))) {
      this.#started = true;
      // A job cancelled before it ran never started.
      if (job.status !== 'cancelled' || steps.some((step) => step.status !== 'pending' && step.status !== 'skipped')) {
        events.push({ type: 'job.started', jobId: job.id, at: now, steps: steps.map((step) => step.stepId) });
      }
    }
    for (const step of steps) {
      const before = this.#steps.get(step.stepId);
      if (step.status === 'running' && (before?.status !== 'running' || step.attempts > before.attempts)) {
        events.push({ type: 'step.started', jobId: job.id, at: now, stepId: step.stepId, attempt: Math.max(1, step.attempts) });
      } else if (DONE.has(step.status) && (before === undefined || !DONE.has(before.status))) {
        events.push({ type: 'step.completed', jobId: job.id, at: now, stepId: step.stepId, cached: step.status === 'cached', durationMs: durationMs(step) });
      }
      this.#steps.set(step.stepId, { status: step.status, attempts: Math.max(step.attempts, before?.status === step.status ? before.attempts : 0) });
    }
    const end = endEvent(job, now);
    if (end !== undefined) {
      this.#ended = true;
      events.push(end);
    }
    return events;
  }
}

/** The event that ends a job as stored, or undefined while it has not ended. */
export function endEvent(job: JobRecord, now: number = Date.now()): JobEvent | undefined {
  if (!TERMINAL_JOB_STATUSES.includes(job.status)) return undefined;
  if (job.status === 'completed') return { type: 'job.completed', jobId: job.id, at: now, outputs: job.outputs ?? {} };
  if (job.status === 'cancelled') return { type: 'job.cancelled', jobId: job.id, at: now };
  const stepId = job.error?.details?.stepId;
  return {
    type: 'job.failed',
    jobId: job.id,
    at: now,
    code: job.error?.code ?? 'JOB_FAILED',
    message: job.error?.message ?? `Job ${job.id} failed.`,
    stepId: typeof stepId === 'string' ? stepId : null,
  };
}

function durationMs(step: JobStepRecord): number {
  if (step.startedAt === null || step.finishedAt === null) return 0;
  const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}
