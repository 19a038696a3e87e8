import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { PipelineSpec } from '../core/pipeline.ts';
import { jobCallerSchema, LOCAL_CALLER, type JobCaller } from '../core/job-caller.ts';
import { TERMINAL_JOB_STATUSES, type JobStatus } from '../core/progress.ts';
import { parseOrThrow } from '../core/validation.ts';
import type { JobRecord, JobStepRecord, Store } from '../store/types.ts';
import { sleep } from './backoff.ts';
import { EngineLimits, type EngineUsage } from './engine-limits.ts';
import { failStoredJob } from './fail-stored-job.ts';
import type { ExecutionPlan } from './execution-plan.ts';
import { PlanCache } from './plan-cache.ts';
import { modelAffinityOf } from './affinity.ts';
import { ALL_JOBS, JobEvents, type JobEventListener } from './job-events.ts';
import { JobExecution } from './job-execution.ts';
import { validateJobInput } from './job-input.ts';
import type { JobEventBus } from './event-bus.ts';
import { laneOfEngines, type Lane } from './lanes.ts';
import { InProcessQueue, type JobQueue, type JobRoute, type LaneDepth } from './queue.ts';
import { RecoveryLoop } from './recovery-loop.ts';
import { UnrecordedEnds } from './unrecorded-ends.ts';
import type { ExecutionServices, JobCheckpoint } from './step-execution.ts';
import type { StepRegistry } from './step-registry.ts';

export interface JobRunnerOptions {
  store: Store;
  steps: StepRegistry;
  /** Per-engine concurrency limits; engines not listed get `defaultEngineLimit`. */
  concurrency?: Record<string, number>;
  /** Default: the cores this process may use (os.availableParallelism()). */
  defaultEngineLimit?: number;
  /** Jobs running at once in this process (default 32); steps are further limited per engine. */
  jobConcurrency?: number;
  /** Default: an InProcessQueue of `jobConcurrency`. */
  queue?: JobQueue;
  /** Identifies this runner in the jobs table (default `<host>:<pid>:<random>`). */
  owner?: string;
  /** How often this runner refreshes the heartbeat of its jobs and looks for cancellations by other processes (default 2,000 ms). */
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this belongs to a dead runner (default 30,000 ms). */
  staleAfterMs?: number;
  /** A job interrupted more often than this is failed with JOB_INTERRUPTED instead of resumed (default 3). */
  maxRecoveries?: number;
  /** Look up and record step results by content hash (default true). */
  cache?: boolean;
  /** Random source for backoff jitter (tests pin it). */
  random?: () => number;
  /**
   * Called with the validated pipeline and input before the job is stored: throwing
   * refuses the submission (content moderation), so no job, step or artifact exists.
   */
  admit?: (spec: PipelineSpec, input: Record<string, unknown>) => Promise<void>;
  /** Removes the work folders of dead processes (Shenbi: under $SHENBI_HOME/tmp/work) and returns how many; recover() calls it. */
  sweepWorkDirs?: () => Promise<number>;
  /** TEST ONLY: awaited after each persisted step boundary (see crash-points.ts). */
  checkpoint?: JobCheckpoint;
  /** Carries job events to and from other processes (servers and workers on a shared queue). */
  eventBus?: JobEventBus;
  /**
   * Lease time: ms since the epoch on a clock every runner of the database shares (a
   * DatabaseClock: the database's own time), so skew between hosts cannot make a live
   * runner's lease look stale. Default Date.now.
   */
  clock?: () => number;
}

const optionsSchema = z.object({
  concurrency: z.record(z.string(), z.number().int().min(1)).optional(),
  defaultEngineLimit: z.number().int().min(1).optional(),
  jobConcurrency: z.number().int().min(1).max(100_000).optional(),
  owner: z.string().min(1).optional(),
  heartbeatMs: z.number().int().min(10).optional(),
  staleAfterMs: z.number().int().min(1).optional(),
  maxRecoveries: z.number().int().min(0).optional(),
  cache: z.boolean().optional(),
});

export interface SubmitOptions {
  /** Who submits the job; default LOCAL_CALLER. The server passes API-key callers with localFiles false. */
  caller?: JobCaller;
  /**
   * Called with the new job's id after validation and admission, before the job is stored:
   * whatever else the submission must record (the server's owner row) goes here, so that if
   * it fails no job exists, and none runs later.
   */
  beforeCreate?: (jobId: string) => Promise<void>;
}

const submitOptionsSchema = z
  .object({
    caller: jobCallerSchema.default(LOCAL_CALLER),
    beforeCreate: z.custom<(jobId: string) => Promise<void>>((value) => typeof value === 'function', 'a function').optional(),
  })
  .strict();

export interface RecoveryReport {
  /** Temp files of dead blob writers that were removed. */
  tempFilesRemoved: number;
  /** Work folders of dead processes that were removed (steps' scratch space left by a crash). */
  workDirsRemoved: number;
  /** Jobs taken up again by this runner (queued ones, and running ones whose runner died). */
  resumed: string[];
  /** Jobs given up, with the reason recorded on them. */
  failed: Array<{ id: string; code: string; reason: string }>;
}

/** A job this runner has enqueued and not yet finished. */
interface LocalJob {
  record: JobRecord;
  plan: ExecutionPlan | undefined;
  /** Whether its previous runner died while running it (then it counts as a recovery). */
  interrupted: boolean;
  /** Found by recover(): steps finished before keep their stored outputs. */
  resume: boolean;
  cancelRequested: boolean;
  execution: JobExecution | undefined;
}

const WAIT_POLL_MS = 200;
/** With an event bus the end is announced; the store is read this often in case the announcement was lost. */
const BUS_POLL_MS = 1_000;
/**
 * How long a worker looks for a delivered job's row (about 2 s in all): its submitter writes
 * the row while enqueueing, and a row that has not come by then never will (the insert failed).
 */
const UNSEEN_JOB_WAITS_MS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/**
 * Runs pipeline jobs in this process. Submitting persists the job before it is queued;
 * every state change goes to the store, so a restart (`recover()`) finds each job
 * completed, resumable or failed with a reason. The queue is an interface, so workers on
 * many machines can share one database (claim + heartbeat leases).
 */
export class JobRunner {
  readonly owner: string;
  readonly #store: Store;
  readonly #registry: StepRegistry;
  readonly #plans: PlanCache;
  readonly #queue: JobQueue;
  readonly #events = new JobEvents();
  readonly #services: ExecutionServices;
  readonly #local = new Map<string, LocalJob>();
  readonly #waiters = new Map<string, Array<{ resolve: (job: JobRecord) => void; reject: (error: unknown) => void }>>();
  readonly #staleAfterMs: number;
  readonly #maxRecoveries: number;
  readonly #heartbeatTimer: NodeJS.Timeout;
  #heartbeatRunning = false;
  #closed = false;
  readonly #closeController = new AbortController();
  readonly #admit: JobRunnerOptions['admit'];
  readonly #sweepWorkDirs: JobRunnerOptions['sweepWorkDirs'];
  /** Ends the store refused (a full disk), written again at each heartbeat until they land. */
  readonly #unrecorded = new UnrecordedEnds();
  #recovery: RecoveryLoop | undefined;
  #recoveryUsers = 0;
  readonly #now: () => number;
  readonly #submitted = new Set<(job: JobRecord) => void>();
  readonly #eventBus: JobEventBus | undefined;
  readonly #stopBus: (() => void) | undefined;

  constructor(options: JobRunnerOptions) {
    const valid = parseOrThrow(optionsSchema, { ...options, store: undefined, steps: undefined, queue: undefined, random: undefined }, 'job runner options', 'CONFIG_INVALID');
    this.#store = options.store;
    this.#registry = options.steps;
    this.#plans = new PlanCache(options.steps);
    this.#admit = options.admit;
    this.#sweepWorkDirs = options.sweepWorkDirs;
    this.owner = valid.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#staleAfterMs = valid.staleAfterMs ?? 30_000;
    this.#maxRecoveries = valid.maxRecoveries ?? 3;
    this.#services = {
      store: options.store,
      limits: new EngineLimits(valid.concurrency ?? {}, valid.defaultEngineLimit),
      cache: valid.cache ?? true,
      random: options.random ?? Math.random,
      ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
    };
    this.#now = options.clock ?? Date.now;
    this.#eventBus = options.eventBus;
    if (this.#eventBus !== undefined) {
      const bus = this.#eventBus;
      // Other processes' events reach this process's subscribers (SSE, wait()); events of jobs
      // running here go out. A job runs in one process at a time, so nothing loops back.
      const stopIn = bus.subscribe((event) => {
        if (!this.#local.has(event.jobId)) this.#events.emit(event);
      });
      const stopOut = this.#events.subscribe(ALL_JOBS, (event) => {
        if (this.#local.has(event.jobId) || this.#unrecorded.has(event.jobId)) bus.publish(event);
      });
      this.#stopBus = () => {
        stopIn();
        stopOut();
      };
    }
    this.#queue = options.queue ?? new InProcessQueue(valid.jobConcurrency ?? 32);
    this.#queue.process((jobId) => this.#runQueued(jobId));
    // One timer for the whole runner, never one per job or step.
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), valid.heartbeatMs ?? 2_000);
    this.#heartbeatTimer.unref();
  }

  /**
   * Validates the pipeline and the input, persists the job (queued), and enqueues it.
   * `caller` is stored with the job (default: the local user, who may name local files).
   */
  async submit(spec: unknown, input: unknown = {}, options: SubmitOptions = {}): Promise<JobRecord> {
    this.#assertOpen();
    const { caller, beforeCreate } = parseOrThrow(submitOptionsSchema, options, 'submit options');
    const { validated, plan } = this.#plans.compile(spec);
    const jobInput = await validateJobInput(validated.spec.inputs, input, this.#store.artifacts);
    await this.#admit?.(validated.spec, jobInput);
    const id = newId('job');
    await beforeCreate?.(id);
    // In our own queue the job is leased to us: no other runner takes it while we live.
    const lease = this.#queue.deliversLocally ? { owner: this.owner, at: this.#now() } : undefined;
    const create = () => this.#store.jobs.create({ id, spec: validated.spec, input: jobInput, caller, ...(lease === undefined ? {} : { lease }) });
    const route = routeOf(plan, jobInput);
    let record: JobRecord;
    if (!this.#queue.deliversLocally && this.#services.checkpoint === undefined) {
      record = await this.#createAndEnqueue(id, create, route);
    } else {
      record = await create();
      if (this.#queue.deliversLocally) {
        this.#local.set(record.id, { record, plan, interrupted: false, resume: false, cancelRequested: false, execution: undefined });
      }
      await this.#services.checkpoint?.(record.id, 'queued');
      try {
        await this.#queue.enqueue(record.id, route);
      } catch (error) {
        await this.#abandonSubmission(record.id, error);
        throw error;
      }
    }
    for (const listener of this.#submitted) {
      try {
        listener(record);
      } catch (error) {
        process.emitWarning(`a submission listener threw on ${record.id}: ${toShenbiError(error).message}`);
      }
    }
    return record;
  }

  /** Whether an event bus brings other processes' job events here as they happen (then following the store is only a fallback). */
  get relaysEvents(): boolean {
    return this.#eventBus !== undefined;
  }

  /** The record of a job queued or running here, as submitted or claimed (no store read); undefined otherwise. */
  held(jobId: string): JobRecord | undefined {
    return this.#local.get(jobId)?.record;
  }

  /** Whether this runner holds the job now (queued or running here, or its end is still being written). */
  runsHere(jobId: string): boolean {
    return this.#local.has(jobId) || this.#unrecorded.has(jobId);
  }

  /** Events of one job, or of every job with '*'. Returns the unsubscribe function. */
  subscribe(jobId: string, listener: JobEventListener): () => void {
    return this.#events.subscribe(jobId, listener);
  }

  /** The job's record once it has ended (completed, failed or cancelled), wherever it runs. */
  async wait(jobId: string): Promise<JobRecord> {
    for (;;) {
      // Ended here; the store has not taken the end yet.
      const unrecorded = this.#unrecorded.record(jobId);
      if (unrecorded !== undefined) return unrecorded;
      if (this.#local.has(jobId)) {
        return new Promise<JobRecord>((resolve, reject) => {
          const list = this.#waiters.get(jobId) ?? [];
          list.push({ resolve, reject });
          this.#waiters.set(jobId, list);
        });
      }
      // Another process runs it: poll the store, and again at once when its end is announced
      // (event bus); listening before reading, so an end between the two is not missed.
      const ended = this.#endAnnounced(jobId);
      try {
        const record = await this.#store.jobs.get(jobId);
        if (isTerminal(record.status)) return record;
        if (this.#closed) throw this.#closedError(jobId);
        // A sleep of its own, ended when the race is over: its timer and abort listener go with it.
        const nap = new AbortController();
        const stopNap = () => nap.abort();
        this.#closeController.signal.addEventListener('abort', stopNap, { once: true });
        try {
          await Promise.race([ended.promise, sleep(this.#eventBus === undefined ? WAIT_POLL_MS : BUS_POLL_MS, nap.signal).catch(() => {})]);
        } finally {
          this.#closeController.signal.removeEventListener('abort', stopNap);
          nap.abort();
        }
        if (this.#closeController.signal.aborted) throw this.#closedError(jobId);
      } finally {
        ended.stop();
      }
    }
  }

  /**
   * Cancels a job. Queued here: dropped at once. Running here: its steps are aborted and it
   * ends `cancelled`. Held by another process: marked cancelled in the store; that runner
   * notices at its next heartbeat. JOB_NOT_CANCELLABLE once it has ended.
   */
  async cancel(jobId: string): Promise<void> {
    const local = this.#local.get(jobId);
    if (local?.execution !== undefined) {
      if (!(await local.execution.cancel())) throw notCancellable(jobId, local.execution.outcome ?? 'ended');
      return;
    }
    if (local !== undefined) {
      // Queued here, not started: it never runs (#runQueued checks the flag before starting).
      if (local.cancelRequested) return;
      local.cancelRequested = true;
      const removed = await this.#queue.remove(jobId);
      await this.#store.jobs.update(jobId, { status: 'cancelled', finishedAt: new Date().toISOString() });
      this.#events.emit({ type: 'job.cancelled', jobId, at: Date.now() });
      // Delivered already: #runQueued settles it.
      if (removed) await this.#settle(jobId);
      return;
    }
    const record = await this.#store.jobs.get(jobId);
    if (isTerminal(record.status)) throw notCancellable(jobId, record.status);
    await this.#store.jobs.update(jobId, { status: 'cancelled', finishedAt: new Date().toISOString() });
    this.#events.emit({ type: 'job.cancelled', jobId, at: Date.now() });
  }

  /**
   * After a crash: sweeps blob temp files and dead processes' work folders, then takes up every queued job and every running
   * job whose runner stopped heartbeating. Completed steps keep their outputs; interrupted
   * ones run again. A job interrupted more than maxRecoveries times is failed with
   * JOB_INTERRUPTED and the reason. Resolves once jobs are queued (use wait() for results).
   */
  async recover(): Promise<RecoveryReport> {
    this.#assertOpen();
    const tempFilesRemoved = await this.#store.blobs.sweepTemp();
    const workDirsRemoved = (await this.#sweepWorkDirs?.()) ?? 0;
    const now = this.#now();
    const staleBefore = now - this.#staleAfterMs;
    const report: RecoveryReport = { tempFilesRemoved, workDirsRemoved, resumed: [], failed: [] };
    for (const record of await this.#store.jobs.listRecoverable(staleBefore)) {
      if (this.runsHere(record.id)) continue;
      const interrupted = record.status === 'running';
      if (interrupted && record.recoveries >= this.#maxRecoveries) {
        const reason = await this.#giveUp(record, now, staleBefore);
        if (reason !== undefined) report.failed.push({ id: record.id, code: 'JOB_INTERRUPTED', reason });
        continue;
      }
      let plan: ExecutionPlan;
      try {
        plan = this.#plans.compile(record.spec).plan;
      } catch (error) {
        // E.g. a step type that is no longer installed: say so on the job instead of retrying forever.
        const failure = toShenbiError(error);
        if (await this.#store.jobs.claim(record.id, this.owner, now, staleBefore)) {
          await failStoredJob(this.#store.jobs, record.id, failure.toJSON());
          report.failed.push({ id: record.id, code: failure.code, reason: failure.message });
        }
        continue;
      }
      if (this.#queue.deliversLocally) {
        this.#local.set(record.id, { record, plan, interrupted, resume: true, cancelRequested: false, execution: undefined });
      }
      await this.#queue.enqueue(record.id, routeOf(plan, record.input));
      report.resumed.push(record.id);
    }
    return report;
  }

  /**
   * Keeps recovering (what `shenbi serve` does): a recover() pass now, then every `everyMs`
   * and whenever a lease held by another runner is due to go stale. Jobs whose runner lives
   * are never taken: their leases stay fresh. Stopped once every returned stop function has
   * been called (two servers on one Shenbi share the loop of the first), or by close().
   */
  recoverContinuously(everyMs: number): () => Promise<void> {
    this.#assertOpen();
    parseOrThrow(z.number().int().min(10), everyMs, 'recovery interval', 'CONFIG_INVALID');
    this.#recovery ??= new RecoveryLoop(async () => {
      if (this.#closed) return null;
      await this.recover();
      const now = this.#now();
      const oldest = await this.#store.jobs.oldestLease(this.owner, now - this.#staleAfterMs);
      // The loop's timer runs on this host's clock; leases are on the shared one.
      return oldest === null ? null : oldest + this.#staleAfterMs + 1 - (now - Date.now());
    }, everyMs);
    const loop = this.#recovery;
    this.#recoveryUsers += 1;
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      this.#recoveryUsers -= 1;
      if (this.#recoveryUsers > 0 || this.#recovery !== loop) return;
      this.#recovery = undefined;
      await loop.stop();
    };
  }

  /**
   * Stops taking jobs. Jobs running here are aborted and put back to `queued` (a later
   * recover() or another runner resumes them); wait() calls for them reject.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeController.abort();
    clearInterval(this.#heartbeatTimer);
    await this.#recovery?.stop();
    this.#stopBus?.();
    // Last tries: ends the store refused before, and the queued jobs nobody here will run (one
    // delivered meanwhile sees #closed after its claim and hands itself back).
    await this.#unrecorded.retry();
    await this.#store.jobs.releaseQueued(this.owner).catch((error: unknown) => {
      process.emitWarning(`handing back the queued jobs of ${this.owner} failed: ${toShenbiError(error).message}`);
    });
    const releases: Array<Promise<boolean>> = [];
    for (const local of this.#local.values()) if (local.execution !== undefined) releases.push(local.execution.release('requeue'));
    await Promise.allSettled(releases);
    await this.#queue.close();
    for (const jobId of [...this.#local.keys()]) {
      for (const waiter of this.#waiters.get(jobId) ?? []) waiter.reject(this.#closedError(jobId));
      this.#waiters.delete(jobId);
    }
    this.#local.clear();
  }

  /**
   * Graceful stop (SIGTERM): takes no more jobs, lets those running here finish for up to
   * `graceMs`, then close() hands the rest back to the queue for another runner.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.#closed) return;
    const stopped = this.#queue.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await this.close();
  }

  /** Steps running and the limit, per engine, in this process. */
  engineUsage(): EngineUsage[] {
    return this.#services.limits.usage();
  }

  /** Called with each job this runner has stored and queued (metrics). Returns the unsubscribe function. */
  onSubmitted(listener: (job: JobRecord) => void): () => void {
    this.#submitted.add(listener);
    return () => this.#submitted.delete(listener);
  }

  /** Waiting jobs per lane in this runner's queue (shared: all processes'). */
  queueDepth(): Promise<LaneDepth[]> {
    return this.#queue.depth();
  }

  /**
   * A shared queue's submission: the row is written and the id enqueued at once, not one after
   * the other, so a worker's pickup does not wait for the insert and then the enqueue (each a
   * round trip; together most of the distributed path's added latency). A worker that gets the
   * id before the row is visible looks again for a while (#takeDelivered). Whichever half fails
   * undoes the other: an enqueued id whose row never came is dropped by the worker that gets it.
   */
  async #createAndEnqueue(id: string, create: () => Promise<JobRecord>, route: JobRoute): Promise<JobRecord> {
    const [created, enqueued] = await Promise.allSettled([create(), this.#queue.enqueue(id, route)]);
    if (created.status === 'rejected') {
      if (enqueued.status === 'fulfilled') await this.#queue.remove(id).catch(() => false);
      throw created.reason;
    }
    if (enqueued.status === 'rejected') {
      await this.#abandonSubmission(id, enqueued.reason);
      throw enqueued.reason;
    }
    return created.value;
  }

  /**
   * A job delivered by a shared queue from another process's submit, claimed: fresh ones are
   * read and claimed in one statement, others read then claimed below. Undefined when it is not
   * ours to run (ended, or its row never came). A missing row is looked for again: its submitter
   * writes it while enqueueing (#createAndEnqueue), so it may land a moment after the delivery.
   */
  async #takeDelivered(jobId: string): Promise<{ local: LocalJob; claimed: boolean; now: number } | undefined> {
    for (const waitMs of UNSEEN_JOB_WAITS_MS) {
      if (waitMs > 0) await sleep(waitMs);
      if (this.#closed) return undefined;
      const now = this.#now();
      const fresh = await this.#claimFresh(jobId, now);
      if (fresh !== undefined) return { local: fresh, claimed: true, now };
      const adopted = await this.#adoptFromStore(jobId);
      if (adopted === 'unseen') continue;
      return adopted === undefined ? undefined : { local: adopted, claimed: false, now: this.#now() };
    }
    process.emitWarning(`job ${jobId} was delivered but never written (its submission failed): dropped`);
    return undefined;
  }

  /** The queue's handler: claim, then run (or settle a job cancelled meanwhile). */
  async #runQueued(jobId: string): Promise<void> {
    let local = this.#local.get(jobId);
    let now = this.#now();
    let claimed = false;
    if (local === undefined) {
      const taken = await this.#takeDelivered(jobId);
      if (taken === undefined) return;
      ({ local, claimed, now } = taken);
    }
    if (local.cancelRequested) {
      await this.#settle(jobId);
      return;
    }
    try {
      if (!claimed && !(await this.#store.jobs.claim(jobId, this.owner, now, now - this.#staleAfterMs))) {
        // Another runner has it, or it was cancelled elsewhere.
        await this.#settle(jobId);
        return;
      }
      await this.#services.checkpoint?.(jobId, 'claimed');
      let prior: JobStepRecord[] = [];
      if (local.resume && !local.cancelRequested) {
        if (local.interrupted) await this.#store.jobs.update(jobId, { recoveries: local.record.recoveries + 1 });
        prior = await this.#store.jobs.steps(jobId);
      }
      // Checked after the last await before starting: cancel() may have run meanwhile.
      if (local.cancelRequested || this.#closed) {
        if (this.#closed && !local.cancelRequested) await this.#store.jobs.update(jobId, { status: 'queued', owner: null, heartbeatAt: null });
        await this.#settle(jobId);
        return;
      }
      const plan = local.plan ?? this.#plans.compile(local.record.spec).plan;
      local.plan = undefined;
      const claimedAt = new Date(now).toISOString();
      const record: JobRecord = {
        ...local.record,
        status: 'running',
        owner: this.owner,
        heartbeatAt: now,
        startedAt: local.record.startedAt ?? claimedAt,
        updatedAt: claimedAt,
        recoveries: local.record.recoveries + (local.interrupted ? 1 : 0),
      };
      const execution = new JobExecution(this.#services, this.#events, plan, record, prior);
      local.execution = execution;
      const outcome = await execution.run();
      // It holds the job's model loaded now: the next jobs naming that model are offered here first.
      if (outcome === 'completed') this.#queue.warmed?.(routeOf(plan, record.input));
      if (execution.endUnrecorded) this.#unrecorded.add(jobId, execution.endedRecord, () => execution.recordPending());
      await this.#settle(jobId, execution.endedRecord);
    } catch (error) {
      await this.#failUnstarted(jobId, error);
    }
  }

  /** A delivered job that never started, claimed and read at once; undefined if it is not one (or the store failed: adopting says why). */
  async #claimFresh(jobId: string, now: number): Promise<LocalJob | undefined> {
    if (this.#closed) return undefined;
    const record = await this.#store.jobs.claimFresh(jobId, this.owner, now, now - this.#staleAfterMs).catch(() => undefined);
    if (record === undefined) return undefined;
    const local: LocalJob = { record, plan: undefined, interrupted: false, resume: false, cancelRequested: false, execution: undefined };
    this.#local.set(jobId, local);
    return local;
  }

  /** The delivered job read from the store; 'unseen' when it has no row (yet); undefined when it is not to run (or the store failed: said). */
  async #adoptFromStore(jobId: string): Promise<LocalJob | 'unseen' | undefined> {
    let record: JobRecord | undefined;
    try {
      record = await this.#store.jobs.find(jobId);
    } catch (error) {
      process.emitWarning(`reading delivered job ${jobId} failed: ${toShenbiError(error).message}`);
      return undefined;
    }
    if (record === undefined) return 'unseen';
    if (isTerminal(record.status) || this.#closed) return undefined;
    // A job that never started has no step results to read back.
    const local: LocalJob = { record, plan: undefined, interrupted: record.status === 'running', resume: record.startedAt !== null, cancelRequested: false, execution: undefined };
    this.#local.set(jobId, local);
    return local;
  }

  /**
   * A stored job whose submission failed after all (it could not be queued): the submitter is
   * told the error, so the job must never run. It is failed with that error, now or, if the
   * store refuses, at a later heartbeat (its lease stays ours until then).
   */
  async #abandonSubmission(jobId: string, error: unknown): Promise<void> {
    const failure = toShenbiError(error);
    this.#local.delete(jobId);
    await this.#queue.remove(jobId).catch(() => false);
    const write = () => failStoredJob(this.#store.jobs, jobId, failure.toJSON()).then(() => true, () => false);
    if (!(await write())) this.#unrecorded.add(jobId, undefined, write);
    this.#events.emit({ type: 'job.failed', jobId, at: Date.now(), code: failure.code, message: failure.message, stepId: null });
  }

  /** A job that could not even start (database error, broken spec): fail it with the reason. */
  async #failUnstarted(jobId: string, error: unknown): Promise<void> {
    const failure = toShenbiError(error);
    const local = this.#local.get(jobId);
    if (local?.execution?.outcome === undefined) {
      try {
        await failStoredJob(this.#store.jobs, jobId, failure.toJSON());
        this.#events.emit({ type: 'job.failed', jobId, at: Date.now(), code: failure.code, message: failure.message, stepId: null });
      } catch (persistError) {
        // The store cannot take the failure either (a full disk): tell the waiters and watchers
        // now, and write the failure at each heartbeat until it lands.
        process.emitWarning(`failing job ${jobId} failed (tried again at each heartbeat): ${toShenbiError(persistError).message}`);
        const write = () => failStoredJob(this.#store.jobs, jobId, failure.toJSON()).then(() => true, () => false);
        this.#unrecorded.add(jobId, undefined, write);
        this.#events.emit({ type: 'job.failed', jobId, at: Date.now(), code: failure.code, message: failure.message, stepId: null });
        this.#local.delete(jobId);
        const waiters = this.#waiters.get(jobId) ?? [];
        this.#waiters.delete(jobId);
        for (const waiter of waiters) waiter.reject(failure);
        return;
      }
    }
    await this.#settle(jobId);
  }

  /** Removes a job from this runner and answers its waiters (from the store unless `ended` is given). */
  async #settle(jobId: string, ended?: JobRecord): Promise<void> {
    this.#local.delete(jobId);
    const waiters = this.#waiters.get(jobId);
    if (waiters === undefined) return;
    this.#waiters.delete(jobId);
    try {
      const record = ended ?? (await this.#store.jobs.get(jobId));
      if (isTerminal(record.status)) {
        for (const waiter of waiters) waiter.resolve(record);
        return;
      }
      // Not ended (handed back, or run elsewhere): keep waiting through the store.
      for (const waiter of waiters) this.wait(jobId).then(waiter.resolve, waiter.reject);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }

  /** Fails a job whose runners kept dying, recording why. Undefined if another runner took it first. */
  async #giveUp(record: JobRecord, now: number, staleBefore: number): Promise<string | undefined> {
    if (!(await this.#store.jobs.claim(record.id, this.owner, now, staleBefore))) return undefined;
    const times = record.recoveries + 1;
    const reason =
      `Job ${record.id} was interrupted ${times} times (its runner stopped while running it, last held by ${record.owner ?? 'an unknown runner'}) ` +
      `and was given up after ${this.#maxRecoveries} recoveries.`;
    const error = new ShenbiError('JOB_INTERRUPTED', reason, {
      details: { recoveries: record.recoveries, maxRecoveries: this.#maxRecoveries, lastOwner: record.owner },
      hint: 'Look at the step that was running (shenbi jobs show ID) and run the pipeline again once the cause is fixed.',
    });
    await failStoredJob(this.#store.jobs, record.id, error.toJSON());
    this.#events.emit({ type: 'job.failed', jobId: record.id, at: Date.now(), code: 'JOB_INTERRUPTED', message: reason, stepId: null });
    return reason;
  }

  /**
   * Keeps this runner's leases fresh, and notices jobs another process cancelled or took
   * over (a runner whose event loop stalled past staleAfterMs loses its jobs).
   */
  async #heartbeat(): Promise<void> {
    if (this.#heartbeatRunning || this.#closed) return;
    if (this.#local.size === 0 && this.#unrecorded.size === 0) return;
    const running = [...this.#local.values()].filter((local) => local.execution?.outcome === undefined && local.execution !== undefined);
    this.#heartbeatRunning = true;
    try {
      await this.#unrecorded.retry();
      await this.#store.jobs.heartbeat(this.owner, this.#now());
      await Promise.all(running.map((local) => local.execution?.recordRunningSteps()));
      for (const local of running) {
        const execution = local.execution;
        if (execution === undefined || execution.outcome !== undefined) continue;
        const record = await this.#store.jobs.find(execution.jobId);
        if (record === undefined || record.status === 'cancelled') await execution.cancel(true);
        else if (record.owner !== this.owner || record.status !== 'running') await execution.release('lost');
      }
    } catch (error) {
      process.emitWarning(`job heartbeat of ${this.owner} failed: ${toShenbiError(error).message}`);
    } finally {
      this.#heartbeatRunning = false;
    }
  }

  /** Resolves when an event says the job ended (here or, through the event bus, elsewhere). */
  #endAnnounced(jobId: string): { promise: Promise<void>; stop: () => void } {
    let stop = () => {};
    const promise = new Promise<void>((resolve) => {
      stop = this.#events.subscribe(jobId, (event) => {
        if (event.type === 'job.completed' || event.type === 'job.failed' || event.type === 'job.cancelled') resolve();
      });
    });
    return { promise, stop };
  }

  #assertOpen(): void {
    if (this.#closed) throw new ShenbiError('INTERNAL', 'This job runner is closed.');
  }

  #closedError(jobId: string): ShenbiError {
    return new ShenbiError('JOB_INTERRUPTED', `The job runner closed before job ${jobId} ended; it stays in the store and resumes with \`shenbi jobs recover\`.`, {
      details: { jobId },
    });
  }
}

/** The lane that carries a job: its heaviest step's (lanes.ts). */
function laneOf(plan: ExecutionPlan): Lane {
  return laneOfEngines([...plan.steps.values()].map((step) => step.engine));
}

function routeOf(plan: ExecutionPlan, input: Readonly<Record<string, unknown>>): JobRoute {
  const affinity = modelAffinityOf(plan, input);
  return affinity === undefined ? { lane: laneOf(plan) } : { lane: laneOf(plan), affinity };
}

function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

function notCancellable(jobId: string, status: string): ShenbiError {
  return new ShenbiError('JOB_NOT_CANCELLABLE', `Job ${jobId} cannot be cancelled: it has already ${status === 'ended' ? 'ended' : `ended (${status})`}.`, {
    details: { jobId, status },
  });
}
