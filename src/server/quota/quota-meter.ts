import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import { isValidId } from '../../core/ids.ts';
import type { PipelineSpecInput } from '../../core/pipeline.ts';
import { TERMINAL_JOB_STATUSES } from '../../core/progress.ts';
import { probeMedia } from '../../engines/video/run-ffmpeg.ts';
import { localUploadFile } from '../../pipelines/steps/upload-file.ts';
import type { JobRecord } from '../../store/types.ts';
import type { ApiKeyRecord } from '../auth/api-key-repository.ts';
import type { Principal, ServerServices } from '../context.ts';
import { outputArtifactIds, submitOwnedJob, visibleArtifact, visibleUpload } from '../jobs-access.ts';
import { estimateJob, type JobEstimateContext } from './estimates.ts';
import type { ReservationPurpose, UsageAmount, UsageLimits, UsageReservations } from './usage-reservations.ts';

const NOTHING: UsageAmount = { tokens: 0, mediaMs: 0 };
const SWEEP_MS = 30_000;
/** Jobs remembered as bound here at most (see #boundHere). */
const MAX_BOUND_HERE = 100_000;
/** A job reservation never tied to its job: the server died between reserving and submitting. */
const UNBOUND_JOB_GRACE_MS = 5 * 60_000;
/** A chat's reservation this old outlived its server: charged as reserved (its real use is unknown). */
const ORPHAN_REQUEST_MS = 60 * 60_000;
const PROBE_TIMEOUT_MS = 10_000;
/** Seconds an 'insert'-mode audio label (rhythm and spoken notice) may add to each output. */
const INSERTED_LABEL_SECONDS = 10;
const MEDIA_KINDS = new Set(['audio', 'video']);
const TEXT_KINDS = new Set(['text', 'json', 'code', 'document', 'subtitle']);

export function limitsOf(key: ApiKeyRecord): UsageLimits {
  return { tokens: key.quotaTokens, mediaSeconds: key.quotaMediaSeconds };
}

/** Reserved usage of one request; settle or release it exactly once (later calls do nothing). */
export interface UsageHold {
  settle(used: UsageAmount): Promise<void>;
  release(): Promise<void>;
}

const NO_HOLD: UsageHold = { settle: async () => {}, release: async () => {} };

const isTerminal = (job: JobRecord) => TERMINAL_JOB_STATUSES.includes(job.status);

/**
 * Quotas as reservations: work reserves what it may use before it starts (refused with
 * QUOTA_EXCEEDED when that does not fit what is left of the day), and settles to what it
 * really used when it ends — chats when the response or stream ends, jobs when the job ends,
 * here or in another process or after a restart (a sweep settles reservations whose job has
 * ended). Keyless (local) callers have no quota and reserve nothing.
 */
export class QuotaMeter {
  readonly #services: () => ServerServices;
  readonly #reservations: UsageReservations;
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  /** Settlements under way, awaited on stop so none runs after the database closes. */
  readonly #settling = new Set<Promise<void>>();
  /**
   * Jobs this process bound a reservation to and has not settled: only their ends are settled
   * at once. Every other job's end (keyless jobs, and with an event bus every job of every
   * server) would cost a reservation lookup each; a reservation bound by a server that died
   * is the sweep's.
   */
  readonly #boundHere = new Set<string>();

  constructor(reservations: UsageReservations, services: () => ServerServices) {
    this.#reservations = reservations;
    this.#services = services;
  }

  get reservations(): UsageReservations {
    return this.#reservations;
  }

  /** Settles jobs as they end in this process, and sweeps every 30 s for the rest. */
  start(): void {
    const runner = this.#services().shenbi.runner;
    this.#unsubscribe = runner.subscribe('*', (event) => {
      if (event.type !== 'job.completed' && event.type !== 'job.failed' && event.type !== 'job.cancelled') return;
      if (!this.#boundHere.delete(event.jobId)) return;
      const settling = this.settleJob(event.jobId).catch(warn);
      this.#settling.add(settling);
      void settling.finally(() => this.#settling.delete(settling));
    });
    this.#timer = setInterval(() => void this.sweep().catch(warn), SWEEP_MS);
    this.#timer.unref();
    void this.sweep().catch(warn);
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    clearInterval(this.#timer);
    await this.#sweeping?.catch(() => {});
    await Promise.all(this.#settling);
  }

  /** Reserves `amount` for a request of a keyed caller (QUOTA_EXCEEDED if it does not fit). */
  async hold(principal: Principal, amount: UsageAmount, purpose: ReservationPurpose): Promise<UsageHold> {
    const key = principal.key;
    if (key === null) return NO_HOLD;
    const reservation = await this.#reservations.reserve(key.id, amount, limitsOf(key), purpose);
    let ended = false;
    const end = async (used: UsageAmount) => {
      if (ended) return;
      ended = true;
      await this.#reservations.settle(reservation.id, used);
    };
    return { settle: end, release: () => end(NOTHING) };
  }

  /**
   * submitOwnedJob with a reservation: the job's estimate is reserved first (a job that
   * cannot fit is refused before anything is stored), then tied to the job id before the job is stored.
   */
  async submitJob(principal: Principal, spec: PipelineSpecInput, input: Record<string, unknown>): Promise<JobRecord> {
    const services = this.#services();
    const key = principal.key;
    if (key === null) return submitOwnedJob(services, principal, spec, input);
    const estimate = await estimateJob(spec, input, this.#estimateContext(principal));
    if (estimate.tokens === 0 && estimate.mediaMs === 0) return submitOwnedJob(services, principal, spec, input);
    const reservation = await this.#reservations.reserve(key.id, estimate, limitsOf(key), 'job');
    let job: JobRecord;
    let bound: string | undefined;
    try {
      // Bound with the owner row, before the job exists: a job the client was told failed never runs unmetered.
      job = await submitOwnedJob(services, principal, spec, input, {
        beforeCreate: async (jobId) => {
          await this.#reservations.bindJob(reservation.id, jobId);
          bound = jobId;
          this.#remember(jobId);
        },
      });
    } catch (error) {
      if (bound !== undefined) this.#boundHere.delete(bound);
      await this.#reservations.settle(reservation.id, NOTHING).catch(warn);
      throw error;
    }
    // A quick (or cached) job may have ended before the binding, unseen by the end listener.
    const now = await services.shenbi.store.jobs.find(job.id);
    if (now !== undefined && isTerminal(now)) await this.settleJob(job.id);
    return job;
  }

  #remember(jobId: string): void {
    // Bounded: a job whose end never arrives here (its event was lost) is left to the sweep.
    if (this.#boundHere.size >= MAX_BOUND_HERE) this.#boundHere.delete(this.#boundHere.values().next().value as string);
    this.#boundHere.add(jobId);
  }

  /** Settles the reservations of a job that has ended, with what it really produced. */
  async settleJob(jobId: string): Promise<void> {
    const reservations = await this.#reservations.forJob(jobId);
    if (reservations.length === 0) return;
    const job = await this.#services().shenbi.store.jobs.find(jobId);
    if (job !== undefined && !isTerminal(job)) return;
    const used = job === undefined ? NOTHING : await this.#usedBy(job);
    // Normally one; usage is charged once, the rest only released.
    let first = true;
    for (const reservation of reservations) {
      await this.#reservations.settle(reservation.id, first ? used : NOTHING);
      first = false;
    }
  }

  /** Settles what nobody else will: reservations of jobs that ended elsewhere or while the server was down, and orphans. */
  async sweep(): Promise<void> {
    if (this.#sweeping !== undefined) return this.#sweeping;
    this.#sweeping = (async () => {
      const now = Date.now();
      for (const reservation of await this.#reservations.open()) {
        const age = now - Date.parse(reservation.createdAt);
        if (reservation.jobId !== null) await this.settleJob(reservation.jobId);
        else if (reservation.purpose === 'job' && age > UNBOUND_JOB_GRACE_MS) await this.#reservations.settle(reservation.id, NOTHING);
        else if (reservation.purpose !== 'job' && age > ORPHAN_REQUEST_MS) await this.#reservations.settle(reservation.id, reservation);
      }
    })().finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  /**
   * What a finished job used: the length of its audio and video outputs, and for text its
   * prompt plus the text it wrote (a byte is an upper bound of a token; steps do not report
   * model usage), never more than was reserved. Failed and cancelled jobs delivered nothing.
   */
  async #usedBy(job: JobRecord): Promise<UsageAmount> {
    if (job.status !== 'completed') return NOTHING;
    const { store } = this.#services().shenbi;
    let mediaMs = 0;
    let textBytes = 0;
    for (const id of outputArtifactIds(job)) {
      const artifact = await store.artifacts.find(id);
      if (artifact === undefined) continue;
      if (MEDIA_KINDS.has(artifact.kind)) {
        const probe = await store.blobs
          .localPath(artifact.blobRef)
          .then((path) => probeMedia(path, { timeoutMs: PROBE_TIMEOUT_MS }))
          .catch(() => undefined);
        mediaMs += Math.ceil((probe?.duration ?? 0) * 1000);
      } else if (TEXT_KINDS.has(artifact.kind)) textBytes += artifact.size;
    }
    const estimate = await estimateJob(job.spec, job.input, { mediaSeconds: async () => 0, labelSecondsPerOutput: 0 });
    const tokens = estimate.tokens === 0 ? 0 : Math.min(estimate.tokens, estimate.promptTokens + textBytes);
    return { tokens, mediaMs };
  }

  #estimateContext(principal: Principal): JobEstimateContext {
    const services = this.#services();
    const labels = services.shenbi.config.labels as { audioMode?: string; audioPlacement?: string } | undefined;
    const inserted = labels?.audioMode === 'insert' ? INSERTED_LABEL_SECONDS * (labels.audioPlacement === 'both' ? 2 : 1) : 0;
    return {
      labelSecondsPerOutput: inserted,
      // Only media the caller may read: another tenant's duration must not show in a refusal.
      mediaSeconds: async (ref) => {
        const id = ref.trim();
        try {
          let path: string | undefined;
          if (isValidId(id, 'art')) {
            const artifact = await visibleArtifact(services, principal, id);
            path = await services.shenbi.store.blobs.localPath(artifact.blobRef);
          } else if (isValidId(id, 'upl')) {
            await visibleUpload(services, principal, id);
            path = await localUploadFile(services.uploads.limits.dir, id, services.uploads.objects);
          }
          return path === undefined ? undefined : (await probeMedia(path, { timeoutMs: PROBE_TIMEOUT_MS })).duration;
        } catch (error) {
          if (error instanceof ShenbiError) return undefined;
          throw error;
        }
      },
    };
  }
}

function warn(error: unknown): void {
  process.emitWarning(`quota settlement failed: ${toShenbiError(error).message}`);
}
