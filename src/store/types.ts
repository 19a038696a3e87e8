import type { Artifact, ArtifactKind, LabelRecord } from '../core/artifact.ts';
import type { SerializedError } from '../core/errors.ts';
import type { PipelineSpec } from '../core/pipeline.ts';
import type { JobStatus, StepStatus } from '../core/progress.ts';
import type { Provenance } from '../core/provenance.ts';
import type { JobCaller } from '../core/job-caller.ts';
import type { StepOutputs } from '../core/step.ts';
import type { UploadObjects } from './blobs/upload-objects.ts';
import type { LedgerStore } from './ledger/ledger-store.ts';

/** Content-addressed bytes (on disk, or in an S3 bucket with a local cache). Writes are atomic. */
export interface BlobStore {
  /** Stores bytes under their sha256; storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array): Promise<BlobInfo>;
  /** Reads a blob; BLOB_NOT_FOUND if absent, BLOB_CORRUPT if it no longer hashes to its ref. */
  read(ref: string, options?: BlobReadOptions): Promise<Buffer>;
  has(ref: string): Promise<boolean>;
  /**
   * A local file holding the blob, for engines that take files (ffmpeg, ...): the blob itself
   * on disk, or a remote blob materialised into the local cache first. BLOB_NOT_FOUND if absent.
   */
  localPath(ref: string): Promise<string>;
  delete(ref: string): Promise<void>;
  /** Removes temp files a crashed writer left behind; returns how many. */
  sweepTemp(): Promise<number>;
  /** Every stored blob with its size and mtime. */
  entries(): AsyncIterable<BlobEntry>;
  /**
   * Removes the blob if its file is older than `olderThanMs` and `isReferenced` says no,
   * both before and after the file is moved aside (see LocalBlobStore).
   */
  removeUnreferenced(ref: string, options: { olderThanMs: number; isReferenced: () => Promise<boolean> }): Promise<BlobRemoval>;
}

/** Short-lived GET URLs of blobs, answering with the given headers. */
export interface PresignedDownloads {
  url(ref: string, options: { contentDisposition?: string; contentType?: string }): Promise<string>;
}

export interface BlobEntry {
  ref: string;
  size: number;
  mtimeMs: number;
}

/** Whether a blob was removed (and the bytes freed), or why it was kept. */
export type BlobRemoval = { removed: true; size: number } | { removed: false; reason: 'absent' | 'recent' | 'referenced' };

/** What a delete or a sweep reclaimed. */
export interface ReclaimReport {
  /** Artifact rows deleted (empty for a sweep alone). */
  deletedArtifacts: string[];
  /** Blob files removed, and their bytes. */
  blobsRemoved: number;
  bytesReclaimed: number;
  /** Unreferenced blobs kept because they changed within the grace period. */
  blobsKept: number;
}

export interface SweepOptions {
  /** Only blobs whose file is at least this old (ms) are removed. */
  olderThanMs: number;
}

export interface BlobReadOptions {
  /** Re-hash the bytes and fail with BLOB_CORRUPT on a mismatch (default true). */
  verify?: boolean;
}

export interface BlobInfo {
  /** `sha256:<hex>` */
  ref: string;
  sha256: string;
  size: number;
}

export interface NewArtifact {
  kind: ArtifactKind;
  mimeType: string;
  bytes: Uint8Array;
  name?: string | null;
  jobId?: string | null;
  stepId?: string | null;
  provenance: Provenance;
  /** An explicit label the producer already rendered into the bytes (see ArtifactDraft). */
  explicitLabel?: LabelRecord;
  /** The caller gives `bytes` up (see ArtifactDraft.bytesMovable). */
  bytesMovable?: boolean;
}

export interface ArtifactFilter {
  jobId?: string;
  kind?: ArtifactKind;
  limit?: number;
  /** Artifacts whose AIGC label carries this ProduceID (`pid_…`). */
  produceId?: string;
}

/** Artifacts: every put passes the governance hook before anything is written. */
export interface ArtifactStore {
  put(artifact: NewArtifact): Promise<Artifact>;
  /** ARTIFACT_NOT_FOUND if absent. */
  get(id: string): Promise<Artifact>;
  find(id: string): Promise<Artifact | undefined>;
  /** Bytes, verified against the recorded sha256 (BLOB_CORRUPT otherwise). */
  read(id: string): Promise<{ artifact: Artifact; bytes: Buffer }>;
  list(filter?: ArtifactFilter): Promise<Artifact[]>;
  /**
   * Deletes artifact rows (all or none; ARTIFACT_NOT_FOUND if one is absent, JOB_RUNNING if
   * one belongs to a queued or running job), then reclaims the blobs no row references any
   * more. Their provenance-ledger entries stay: history is kept, content is deleted.
   */
  delete(ids: string | readonly string[], options?: Partial<SweepOptions>): Promise<ReclaimReport>;
  /** Deletes every artifact of a job (JOB_RUNNING while it is queued or running). */
  deleteByJob(jobId: string, options?: Partial<SweepOptions>): Promise<ReclaimReport>;
  /** Removes what a step of a live job wrote in an attempt that did not complete (the next attempt writes its own). */
  discardStepOutputs(jobId: string, stepId: string): Promise<ReclaimReport>;
  /** Removes blob files no artifact references, if older than the grace period. */
  sweepUnreferencedBlobs(options: SweepOptions): Promise<ReclaimReport>;
}

export interface JobRecord {
  id: string;
  pipelineId: string;
  spec: PipelineSpec;
  input: Record<string, unknown>;
  /** Who submitted it: whether its steps may read local files (migration 0006). */
  caller: JobCaller;
  status: JobStatus;
  outputs: Record<string, unknown> | null;
  error: SerializedError | null;
  recoveries: number;
  owner: string | null;
  heartbeatAt: number | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobStepRecord {
  jobId: string;
  stepId: string;
  status: StepStatus;
  attempts: number;
  cacheKey: string | null;
  outputs: StepOutputs | null;
  error: SerializedError | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface NewJob {
  id: string;
  spec: PipelineSpec;
  input: Record<string, unknown>;
  /** Default LOCAL_CALLER (the CLI: local files allowed). */
  caller?: JobCaller;
  /**
   * The runner whose own queue holds the job, with the lease's first heartbeat (epoch ms):
   * no other runner claims it while that lease is fresh. None: any runner may (a shared queue).
   */
  lease?: { owner: string; at: number };
}

export interface JobFilter {
  status?: JobStatus;
  limit?: number;
}

export type JobPatch = Partial<
  Pick<JobRecord, 'status' | 'outputs' | 'error' | 'recoveries' | 'owner' | 'heartbeatAt' | 'startedAt' | 'finishedAt'>
>;

export interface JobRepository {
  /** Inserts the job (status 'queued') and one 'pending' row per step, in one transaction. */
  create(job: NewJob): Promise<JobRecord>;
  /** JOB_NOT_FOUND if absent. */
  get(id: string): Promise<JobRecord>;
  find(id: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(filter?: JobFilter): Promise<JobRecord[]>;
  /**
   * Applies the patch. Ended jobs stay ended: a patch that sets a status leaves a completed,
   * failed or cancelled job untouched and returns false (e.g. the owner completing a job
   * that another process cancelled meanwhile). JOB_NOT_FOUND if there is no such job.
   */
  update(id: string, patch: JobPatch): Promise<boolean>;
  /**
   * Takes a job for `owner` if it is queued (with no lease, `owner`'s own, or a stale one), or
   * running under an owner whose heartbeat is older than `staleBefore` (epoch ms). Atomic:
   * two runners never both win.
   */
  claim(id: string, owner: string, now: number, staleBefore: number): Promise<boolean>;
  /**
   * claim() for a job that is queued and has never started (what a shared queue delivers
   * almost always), returning the claimed record in the same statement (UPDATE … RETURNING):
   * one round trip instead of a read and a claim. Undefined when the job is not such a job or
   * another runner holds it: the caller then reads it and uses claim().
   */
  claimFresh(id: string, owner: string, now: number, staleBefore: number): Promise<JobRecord | undefined>;
  /** Refreshes the heartbeat of every queued or running job held by `owner`. */
  heartbeat(owner: string, now: number): Promise<void>;
  /** Jobs nobody live holds: queued or running with no lease or a lease older than `staleBefore`. Oldest first. */
  listRecoverable(staleBefore: number): Promise<JobRecord[]>;
  /** Lets go of `owner`'s queued jobs (it is closing): any runner may take them at once. */
  releaseQueued(owner: string): Promise<void>;
  /**
   * The oldest heartbeat (epoch ms) among leases that other runners hold and that are still
   * fresh (not older than `staleBefore`); null if none. A recovering runner looks again when it goes stale.
   */
  oldestLease(exceptOwner: string, staleBefore: number): Promise<number | null>;
  steps(jobId: string): Promise<JobStepRecord[]>;
  updateStep(jobId: string, stepId: string, patch: Partial<Omit<JobStepRecord, 'jobId' | 'stepId'>>): Promise<void>;
}

/** Step results by content hash of (step type, version, inputs, model, parameters). */
export interface StepCache {
  get(key: string): Promise<StepOutputs | undefined>;
  put(key: string, stepType: string, outputs: StepOutputs): Promise<void>;
}

export type ConversationRole = 'user' | 'assistant' | 'system';

export interface ConversationTurn {
  role: ConversationRole;
  speaker: string | null;
  content: string;
  createdAt: string;
}

/** Turns of a conversation, appended in order; several processes may append to the same one. */
export interface ConversationStore {
  /** Appends turns after the last one, atomically (all or none); returns the new turn count. */
  append(conversationId: string, turns: readonly Omit<ConversationTurn, 'createdAt'>[]): Promise<number>;
  /** The last `limit` turns (all by default), oldest first. */
  history(conversationId: string, limit?: number): Promise<ConversationTurn[]>;
  /** Forgets the conversation. */
  clear(conversationId: string): Promise<void>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly blobs: BlobStore;
  readonly artifacts: ArtifactStore;
  readonly jobs: JobRepository;
  readonly cache: StepCache;
  readonly conversations: ConversationStore;
  /** Hash-chained provenance entries, one per artifact, appended by artifacts.put. */
  readonly ledger: LedgerStore;
  /** Where uploads' bytes are shared between machines (an S3 bucket); absent or null: the local uploads dir only. */
  readonly uploadObjects?: UploadObjects | null;
  /** Set when downloads go straight to the object store (config s3.presignDownloads): a short-lived URL of a blob. */
  readonly presignedDownloads?: PresignedDownloads | null;
  close(): Promise<void>;
}
