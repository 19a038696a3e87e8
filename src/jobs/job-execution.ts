import { ShenbiError, toShenbiError, type SerializedError } from '../core/errors.ts';
import type { JobEvent, StepProgress } from '../core/progress.ts';
import type { JobCaller } from '../core/job-caller.ts';
import type { StepOutputs } from '../core/step.ts';
import type { JobRecord, JobStepRecord } from '../store/types.ts';
import type { ExecutionPlan, PlannedStep } from './execution-plan.ts';
import type { JobEvents } from './job-events.ts';
import { executeStep, type ExecutionServices, type StepHost } from './step-execution.ts';

/** How a job's run in this process ended. `released`: handed back (shutdown, or another runner took it). */
export type ExecutionOutcome = 'completed' | 'failed' | 'cancelled' | 'released';

type StepState = 'pending' | 'running' | 'done';

interface AttemptRecord {
  attempts: number;
  startedMs: number;
  /** Attempt count already written as `running` (0: none). */
  recorded: number;
  /** No more lazy writes: the step's final state is being written. */
  sealed: boolean;
  write: Promise<void> | undefined;
}

/**
 * One claimed job running in this process: starts every step whose inputs are ready (so
 * independent branches run in parallel, each under its engine's limit), records results,
 * and ends the job exactly once — completed, failed (first failing step; the other
 * branches are aborted), cancelled, or released. Nothing is persisted or emitted for the
 * job after that end, whatever its steps still do.
 */
export class JobExecution implements StepHost {
  readonly jobId: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly caller: JobCaller;
  readonly outputs = new Map<string, StepOutputs>();
  readonly artifactHashes = new Map<string, string>();
  readonly #services: ExecutionServices;
  readonly #events: JobEvents;
  readonly #plan: ExecutionPlan;
  readonly #controller = new AbortController();
  readonly #state = new Map<string, StepState>();
  readonly #waitingOn = new Map<string, number>();
  readonly #prior = new Map<string, JobStepRecord>();
  /** The current attempt of each step that ran, and its lazy `running` record. */
  readonly #attempts = new Map<string, AttemptRecord>();
  /** Fractions reported by running steps, for the ETA. */
  readonly #fractions = new Map<string, number>();
  #outcome: ExecutionOutcome | undefined;
  #doneCount = 0;
  #reusedCount = 0;
  #startedMs = 0;
  #resolveDone!: (outcome: ExecutionOutcome) => void;
  readonly #done = new Promise<ExecutionOutcome>((resolve) => {
    this.#resolveDone = resolve;
  });

  /** The job as this runner last wrote it; what wait() returns once the job has ended here. */
  #record: JobRecord;
  #recordCurrent = true;
  /** The write of the job's end that the store refused (a full disk), tried again by recordPending(). */
  #unrecorded: (() => Promise<void>) | undefined;

  /** `job`: the record as claimed (status running, owner and startedAt set). */
  constructor(services: ExecutionServices, events: JobEvents, plan: ExecutionPlan, job: JobRecord, prior: readonly JobStepRecord[] = []) {
    this.#services = services;
    this.#events = events;
    this.#plan = plan;
    this.#record = job;
    this.jobId = job.id;
    this.input = job.input;
    this.caller = job.caller;
    for (const step of prior) this.#prior.set(step.stepId, step);
  }

  get services(): ExecutionServices {
    return this.#services;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get outcome(): ExecutionOutcome | undefined {
    return this.#outcome;
  }

  /**
   * The ended job exactly as written by this runner (saves a read per job); undefined when
   * the end was written elsewhere or not at all, and the store must be asked.
   */
  get endedRecord(): JobRecord | undefined {
    if (this.#outcome === undefined || this.#outcome === 'released' || !this.#recordCurrent) return undefined;
    return { ...this.#record };
  }

  /** Applies the same patch to the in-memory record as to the store. */
  #patchRecord(patch: Partial<JobRecord>): void {
    this.#record = { ...this.#record, ...patch, ...(patch.finishedAt ? { updatedAt: patch.finishedAt } : {}) };
  }

  /** Resolves when the job has ended in this process. */
  run(): Promise<ExecutionOutcome> {
    this.#startedMs = Date.now();
    if (this.#events.wants(this.jobId)) {
      this.#events.emit({ type: 'job.started', jobId: this.jobId, at: this.#startedMs, steps: [...this.#plan.order] });
    }
    // Steps finished before a crash keep their stored outputs and are not run again.
    for (const id of this.#plan.order) {
      const prior = this.#prior.get(id);
      if ((prior?.status === 'completed' || prior?.status === 'cached') && prior.outputs !== null) {
        this.outputs.set(id, prior.outputs);
        this.#state.set(id, 'done');
        this.#doneCount += 1;
        this.#reusedCount += 1;
        this.emit({ type: 'step.completed', jobId: this.jobId, at: Date.now(), stepId: id, cached: true, durationMs: 0 });
      } else {
        this.#state.set(id, 'pending');
      }
    }
    for (const id of this.#plan.order) {
      if (this.#state.get(id) !== 'pending') continue;
      const step = this.#step(id);
      this.#waitingOn.set(id, step.dependsOn.filter((dep) => this.#state.get(dep) !== 'done').length);
    }
    if (this.#doneCount === this.#plan.order.length) {
      void this.#complete();
    } else {
      for (const id of this.#plan.order) if (this.#state.get(id) === 'pending' && this.#waitingOn.get(id) === 0) this.#launch(this.#step(id));
    }
    return this.#done;
  }

  /**
   * Ends the job as cancelled: aborts running steps (without waiting for ones that ignore
   * the signal), records the step states, emits job.cancelled last. `alreadyRecorded`:
   * another process wrote the cancellation, so the job row is left as it is.
   */
  async cancel(alreadyRecorded = false): Promise<boolean> {
    if (this.#outcome !== undefined) return false;
    this.#outcome = 'cancelled';
    this.#controller.abort(new ShenbiError('JOB_CANCELLED', `Job ${this.jobId} was cancelled.`, { details: { jobId: this.jobId } }));
    await this.#persist(async () => {
      await this.#closeOpenSteps(null);
      if (alreadyRecorded) {
        this.#recordCurrent = false;
        return;
      }
      const patch = { status: 'cancelled', finishedAt: new Date().toISOString() } as const;
      this.#patchRecord(patch);
      await this.#services.store.jobs.update(this.jobId, patch);
    });
    this.#events.emit({ type: 'job.cancelled', jobId: this.jobId, at: Date.now() });
    this.#resolveDone('cancelled');
    return true;
  }

  /**
   * Stops running the job here without ending it. `requeue` (this runner is closing) puts it
   * back in the queue for any runner; `lost` (another runner claimed it) touches nothing.
   */
  async release(mode: 'requeue' | 'lost'): Promise<boolean> {
    if (this.#outcome !== undefined) return false;
    this.#outcome = 'released';
    this.#controller.abort(
      new ShenbiError('JOB_INTERRUPTED', `Job ${this.jobId} was handed back by its runner (${mode === 'requeue' ? 'shutting down' : 'taken over by another runner'}).`),
    );
    if (mode === 'requeue') {
      await this.#persist(async () => {
        await this.#services.store.jobs.update(this.jobId, { status: 'queued', owner: null, heartbeatAt: null });
      });
    }
    this.#resolveDone('released');
    return true;
  }

  /** Whether an earlier run of this job got as far as starting (this run resumes it). */
  get resumed(): boolean {
    return this.#prior.size > 0;
  }

  priorAttempts(stepId: string): number {
    return this.#prior.get(stepId)?.attempts ?? 0;
  }

  attemptStarted(stepId: string, attempts: number, startedMs: number): void {
    const previous = this.#attempts.get(stepId);
    this.#attempts.set(stepId, { attempts, startedMs, recorded: previous?.recorded ?? 0, sealed: false, write: previous?.write });
  }

  runningRecorded(stepId: string): Promise<void> {
    const attempt = this.#attempts.get(stepId);
    if (attempt === undefined) return Promise.resolve();
    attempt.sealed = true;
    return attempt.write ?? Promise.resolve();
  }

  /**
   * Called on the runner's heartbeat: steps still running get their `running` state and
   * attempt count written, so `jobs show` sees long steps without short ones paying a write.
   */
  recordRunningSteps(): Promise<void> {
    const writes: Array<Promise<void>> = [];
    for (const [stepId, attempt] of this.#attempts) {
      if (attempt.sealed || attempt.recorded === attempt.attempts || this.#state.get(stepId) !== 'running') continue;
      const { attempts, startedMs } = attempt;
      attempt.recorded = attempts;
      attempt.write = (attempt.write ?? Promise.resolve())
        .then(() => this.#services.store.jobs.updateStep(this.jobId, stepId, { status: 'running', attempts, startedAt: new Date(startedMs).toISOString() }))
        .catch((error: unknown) => process.emitWarning(`recording step ${stepId} of job ${this.jobId} as running failed: ${toShenbiError(error).message}`));
      writes.push(attempt.write);
    }
    return Promise.all(writes).then(() => {});
  }

  wants(): boolean {
    return this.#outcome === undefined && this.#events.wants(this.jobId);
  }

  /** Events from steps; dropped once the job has ended. */
  emit(event: JobEvent): void {
    if (this.#outcome === undefined) this.#events.emit(event);
  }

  progress(stepId: string, update: StepProgress): void {
    if (this.#outcome !== undefined || this.#state.get(stepId) !== 'running') return;
    const raw = update.fraction;
    const fraction = typeof raw === 'number' && Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : null;
    if (fraction !== null) this.#fractions.set(stepId, fraction);
    if (!this.#events.wants(this.jobId)) return;
    const now = Date.now();
    this.#events.emit({
      type: 'step.progress',
      jobId: this.jobId,
      at: now,
      stepId,
      stepType: this.#step(stepId).definition.type,
      fraction,
      message: typeof update.message === 'string' ? update.message : null,
      etaMs: this.#eta(now),
    });
  }

  /** Linear extrapolation over the steps this run has to do (reused ones excluded). */
  #eta(now: number): number | null {
    const todo = this.#plan.order.length - this.#reusedCount;
    if (todo <= 0) return 0;
    let progressed = this.#doneCount - this.#reusedCount;
    for (const fraction of this.#fractions.values()) progressed += fraction;
    const share = progressed / todo;
    if (share <= 0) return null;
    return Math.max(0, Math.round(((now - this.#startedMs) * (1 - share)) / share));
  }

  #step(id: string): PlannedStep {
    const step = this.#plan.steps.get(id);
    if (step === undefined) throw new ShenbiError('INTERNAL', `The plan of job ${this.jobId} has no step ${id}.`);
    return step;
  }

  #launch(step: PlannedStep): void {
    this.#state.set(step.id, 'running');
    executeStep(this, step).then(
      (outputs) => this.#stepDone(step, outputs),
      (error: unknown) => this.#stepFailed(step, error),
    );
  }

  #stepDone(step: PlannedStep, outputs: StepOutputs): void {
    if (this.#outcome !== undefined) return;
    this.outputs.set(step.id, outputs);
    this.#state.set(step.id, 'done');
    this.#fractions.delete(step.id);
    this.#doneCount += 1;
    for (const next of step.dependents) {
      const left = (this.#waitingOn.get(next) ?? 1) - 1;
      this.#waitingOn.set(next, left);
      if (left === 0 && this.#state.get(next) === 'pending') this.#launch(this.#step(next));
    }
    if (this.#doneCount === this.#plan.order.length) void this.#complete();
  }

  async #complete(): Promise<void> {
    if (this.#outcome !== undefined) return;
    this.#outcome = 'completed';
    const outputs: Record<string, unknown> = {};
    for (const binding of this.#plan.outputs) {
      const value = this.outputs.get(binding.stepId)?.[binding.output];
      if (value !== undefined) outputs[binding.name] = value;
    }
    const patch = { status: 'completed', outputs, finishedAt: new Date().toISOString() } as const;
    this.#patchRecord(patch);
    let applied = true;
    await this.#persist(async () => {
      applied = await this.#services.store.jobs.update(this.jobId, patch);
    });
    if (!applied) {
      // Another process cancelled the job after its last step had started: the stored end stands.
      this.#outcome = 'cancelled';
      this.#recordCurrent = false;
      this.#events.emit({ type: 'job.cancelled', jobId: this.jobId, at: Date.now() });
      this.#resolveDone('cancelled');
      return;
    }
    this.#events.emit({ type: 'job.completed', jobId: this.jobId, at: Date.now(), outputs });
    this.#resolveDone('completed');
  }

  async #stepFailed(step: PlannedStep, error: unknown): Promise<void> {
    if (this.#outcome !== undefined) return;
    this.#outcome = 'failed';
    const failure = toShenbiError(error, 'ENGINE_FAILED');
    // The other branches stop: the job cannot complete any more.
    this.#controller.abort(new ShenbiError('JOB_FAILED', `Step "${step.id}" of job ${this.jobId} failed.`, { details: { stepId: step.id } }));
    const stepError = failure.toJSON();
    const jobError: SerializedError = {
      ...stepError,
      message: `Step "${step.id}" (${step.definition.type}) failed: ${failure.message}`,
      details: { ...stepError.details, stepId: step.id, stepType: step.definition.type },
    };
    await this.#persist(async () => {
      await this.runningRecorded(step.id);
      const attempt = this.#attempts.get(step.id);
      await this.#services.store.jobs.updateStep(this.jobId, step.id, {
        status: 'failed',
        error: stepError,
        finishedAt: new Date().toISOString(),
        ...(attempt === undefined ? {} : { attempts: attempt.attempts, startedAt: new Date(attempt.startedMs).toISOString() }),
      });
      await this.#closeOpenSteps(step.id);
      const patch = { status: 'failed', error: jobError, finishedAt: new Date().toISOString() } as const;
      this.#patchRecord(patch);
      await this.#services.store.jobs.update(this.jobId, patch);
    });
    this.#events.emit({ type: 'job.failed', jobId: this.jobId, at: Date.now(), code: failure.code, message: jobError.message, stepId: step.id });
    this.#resolveDone('failed');
  }

  /** Running steps become cancelled, pending ones skipped. */
  async #closeOpenSteps(except: string | null): Promise<void> {
    const at = new Date().toISOString();
    for (const [id, state] of this.#state) {
      if (id === except || state === 'done') continue;
      await this.runningRecorded(id);
      await this.#services.store.jobs.updateStep(this.jobId, id, state === 'running' ? { status: 'cancelled', finishedAt: at } : { status: 'skipped' });
    }
  }

  /**
   * Bookkeeping writes at the end of a job must not leave it hanging when the database
   * refuses them (a full disk): the end stands here (waiters and events have it at once) and
   * the runner writes it again at each heartbeat until it lands (recordPending), holding the
   * job's lease meanwhile so that no other runner resumes a job that has ended.
   */
  async #persist(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.#unrecorded = write;
      process.emitWarning(`recording the end of job ${this.jobId} failed (tried again at each heartbeat): ${toShenbiError(error).message}`);
    }
  }

  /** Whether the end of this job still has to reach the store (see recordPending). */
  get endUnrecorded(): boolean {
    return this.#unrecorded !== undefined;
  }

  /** Writes the end that the store refused before (the writes are idempotent); true once it has landed. */
  async recordPending(): Promise<boolean> {
    const write = this.#unrecorded;
    if (write === undefined) return true;
    try {
      await write();
      this.#unrecorded = undefined;
      return true;
    } catch {
      return false;
    }
  }
}
