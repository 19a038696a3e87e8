import { Counter, Histogram, type Registry } from 'prom-client';
import type { JobEvent } from '../../core/progress.ts';
import type { JobInfoCache } from '../../jobs/job-info.ts';
import { BoundedLabels } from './bounded-labels.ts';

/** Seconds: from a trivial job (tens of ms) to a long video render (an hour). */
const JOB_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const STEP_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];
/** Jobs whose start was seen and whose end was not yet, remembered at most (a lost end must not leak). */
const MAX_OPEN_JOBS = 50_000;

/**
 * Job and step counters and durations, fed by the runner's event stream: the jobs this
 * process runs and, with an event bus, every other process's (see docs/operations.md).
 */
export class JobMetrics {
  readonly #submitted: Counter<'pipeline'>;
  readonly #started: Counter<'pipeline'>;
  readonly #completed: Counter<'pipeline'>;
  readonly #failed: Counter<'pipeline' | 'code'>;
  readonly #cancelled: Counter<'pipeline'>;
  readonly #jobSeconds: Histogram<'pipeline' | 'outcome'>;
  readonly #stepSeconds: Histogram<'step_type' | 'cached'>;
  readonly #errors: Counter<'source' | 'code'>;
  readonly #startedAt = new Map<string, number>();
  // Pipelines are user data (a tenant may submit any id): their label values are capped.
  readonly #pipelines = new BoundedLabels(200);
  readonly #stepTypes = new BoundedLabels(500);

  constructor(
    registry: Registry,
    private readonly info: JobInfoCache,
  ) {
    const registers = [registry];
    this.#submitted = new Counter({ name: 'shenbi_jobs_submitted_total', help: 'Jobs submitted through this process.', labelNames: ['pipeline'], registers });
    this.#started = new Counter({ name: 'shenbi_jobs_started_total', help: 'Jobs started (a resumed job counts again).', labelNames: ['pipeline'], registers });
    this.#completed = new Counter({ name: 'shenbi_jobs_completed_total', help: 'Jobs completed.', labelNames: ['pipeline'], registers });
    this.#failed = new Counter({ name: 'shenbi_jobs_failed_total', help: 'Jobs failed, by error code.', labelNames: ['pipeline', 'code'], registers });
    this.#cancelled = new Counter({ name: 'shenbi_jobs_cancelled_total', help: 'Jobs cancelled.', labelNames: ['pipeline'], registers });
    this.#jobSeconds = new Histogram({ name: 'shenbi_job_duration_seconds', help: 'From job start to its end.', labelNames: ['pipeline', 'outcome'], buckets: JOB_BUCKETS, registers });
    this.#stepSeconds = new Histogram({ name: 'shenbi_step_duration_seconds', help: 'Step run time by step type (cached: served from the step cache).', labelNames: ['step_type', 'cached'], buckets: STEP_BUCKETS, registers });
    this.#errors = new Counter({ name: 'shenbi_errors_total', help: 'Errors by stable code: job failures, step retries, HTTP error responses.', labelNames: ['source', 'code'], registers });
  }

  submitted(pipeline: string): void {
    this.#submitted.inc({ pipeline: this.#pipelines.of(pipeline) });
  }

  /** An HTTP request answered with an error (the code of its body). */
  httpError(code: string): void {
    this.#errors.inc({ source: 'http', code });
  }

  observe(event: JobEvent): void {
    switch (event.type) {
      case 'job.started':
        if (this.#startedAt.size >= MAX_OPEN_JOBS) this.#startedAt.delete(this.#startedAt.keys().next().value as string);
        this.#startedAt.set(event.jobId, event.at);
        void this.#pipeline(event.jobId).then((pipeline) => this.#started.inc({ pipeline }));
        return;
      case 'step.completed': {
        const { jobId, stepId, cached, durationMs } = event;
        void this.info.get(jobId).then((known) => {
          const stepType = this.#stepTypes.of(known?.stepTypes.get(stepId) ?? 'unknown');
          this.#stepSeconds.observe({ step_type: stepType, cached: String(cached) }, durationMs / 1000);
        });
        return;
      }
      case 'step.retry':
        this.#errors.inc({ source: 'step_retry', code: event.code });
        return;
      case 'job.completed':
      case 'job.failed':
      case 'job.cancelled':
        this.#ended(event);
        return;
      default:
    }
  }

  #ended(event: Extract<JobEvent, { type: 'job.completed' | 'job.failed' | 'job.cancelled' }>): void {
    const startedAt = this.#startedAt.get(event.jobId);
    this.#startedAt.delete(event.jobId);
    const outcome = event.type.slice('job.'.length);
    if (event.type === 'job.failed') this.#errors.inc({ source: 'job', code: event.code });
    void this.#pipeline(event.jobId).then((pipeline) => {
      if (event.type === 'job.completed') this.#completed.inc({ pipeline });
      else if (event.type === 'job.failed') this.#failed.inc({ pipeline, code: event.code });
      else this.#cancelled.inc({ pipeline });
      if (startedAt !== undefined) this.#jobSeconds.observe({ pipeline, outcome }, Math.max(0, event.at - startedAt) / 1000);
    });
  }

  async #pipeline(jobId: string): Promise<string> {
    return this.#pipelines.of((await this.info.get(jobId))?.pipeline ?? 'unknown');
  }
}
