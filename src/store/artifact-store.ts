import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { artifactKindSchema, artifactSchema, blobRefFor, labelRecordSchema, type Artifact } from '../core/artifact.ts';
import { ShenbiError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { provenanceSchema } from '../core/provenance.ts';
import { parseOrThrow } from '../core/validation.ts';
import type { ArtifactCandidate, GovernanceHook } from '../governance/hook.ts';
import { PRODUCE_ID_PATTERN } from '../governance/produce-id.ts';
import { databaseFailure } from './db/database-failure.ts';
import { parseJsonText, writeJson } from './db/json-column.ts';
import type { ArtifactsTable, Database } from './db/schema.ts';
import { appendLedgerEntry } from './ledger/append-entry.ts';
import { deleteArtifactRows, deleteJobArtifactRows, deleteStepArtifactRows, sweepBlobs } from './artifact-deletion.ts';
import type { ArtifactFilter, ArtifactStore, BlobStore, NewArtifact, ReclaimReport, SweepOptions } from './types.ts';

/**
 * The grace period of the sweep that follows a delete. 0 is safe: the blob store moves a
 * file aside and re-checks references before removing it, and put re-writes a blob that
 * vanished before its row committed. `shenbi gc` uses a longer grace on top.
 */
const DELETE_SWEEP_GRACE_MS = 0;

const newArtifactSchema = z.object({
  kind: artifactKindSchema,
  mimeType: z.string().min(1),
  bytes: z.instanceof(Uint8Array),
  name: z.string().nullable().optional(),
  jobId: z.string().min(1).nullable().optional(),
  stepId: z.string().min(1).nullable().optional(),
  provenance: provenanceSchema,
  explicitLabel: labelRecordSchema.optional(),
  bytesMovable: z.boolean().optional(),
});

const idSchema = z.string().min(1);
const idListSchema = z.array(idSchema);
const sweepOptionsSchema = z.object({ olderThanMs: z.number().int().min(0) });

const governanceDecisionSchema = z.object({
  bytes: z.instanceof(Uint8Array),
  labels: z.array(labelRecordSchema),
});

const artifactFilterSchema = z
  .object({
    jobId: z.string().min(1).optional(),
    kind: artifactKindSchema.optional(),
    limit: z.number().int().positive().optional(),
    /** The AIGC label's ProduceID (governance/produce-id.ts): the artifacts that carry it. */
    produceId: z.string().regex(PRODUCE_ID_PATTERN, 'a ProduceID is pid_ and 32 hex digits').optional(),
  })
  .strict();

/**
 * Artifact metadata in SQL, bytes in the blob store. The governance hook reviews every
 * artifact before a single byte is written; what it returns (possibly rewritten bytes,
 * plus labels) is what gets stored and hashed.
 */
export class SqlArtifactStore implements ArtifactStore {
  readonly #db: Kysely<Database>;
  readonly #blobs: BlobStore;
  readonly #governance: GovernanceHook;

  constructor(db: Kysely<Database>, blobs: BlobStore, governance: GovernanceHook) {
    this.#db = db;
    this.#blobs = blobs;
    this.#governance = governance;
  }

  async put(input: NewArtifact): Promise<Artifact> {
    const draft = parseOrThrow(newArtifactSchema, input, 'artifact');
    const candidate: ArtifactCandidate = {
      id: newId('art'),
      kind: draft.kind,
      mimeType: draft.mimeType,
      bytes: draft.bytes,
      name: draft.name ?? null,
      provenance: draft.provenance,
      ...(draft.explicitLabel === undefined ? {} : { explicitLabel: draft.explicitLabel }),
      ...(draft.bytesMovable === true ? { bytesMovable: true } : {}),
    };
    // First, before any write: a refusal (GOVERNANCE_REFUSED) must leave nothing behind.
    const decision = parseOrThrow(
      governanceDecisionSchema,
      await this.#governance.review(candidate),
      `decision of governance hook "${this.#governance.name}"`,
      'INTERNAL',
    );
    const blob = await this.#blobs.put(decision.bytes);
    const artifact: Artifact = {
      id: candidate.id,
      kind: candidate.kind,
      mimeType: candidate.mimeType,
      size: blob.size,
      sha256: blob.sha256,
      blobRef: blob.ref,
      name: candidate.name,
      jobId: draft.jobId ?? null,
      stepId: draft.stepId ?? null,
      createdAt: new Date().toISOString(),
      provenance: candidate.provenance,
      labels: decision.labels,
    };
    // A failed insert leaves at most an unreferenced blob: content-addressed and invisible.
    // The row and its provenance-ledger entry commit together, or neither does.
    // Typed like every other store write (a full disk is DISK_FULL, not a failure of the step).
    const recorded = this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('artifacts')
        .values({
          id: artifact.id,
          kind: artifact.kind,
          mime_type: artifact.mimeType,
          size: artifact.size,
          sha256: artifact.sha256,
          blob_ref: artifact.blobRef,
          name: artifact.name,
          job_id: artifact.jobId,
          step_id: artifact.stepId,
          provenance: writeJson(artifact.provenance),
          labels: writeJson(artifact.labels),
          created_at: artifact.createdAt,
        })
        .execute();
      await appendLedgerEntry(trx, artifact);
    });
    await recorded.catch((error: unknown) => {
      throw databaseFailure(`recording artifact ${artifact.id}`, error);
    });
    // A sweep may have removed identical, unreferenced bytes between the blob put and this
    // commit (see LocalBlobStore.removeUnreferenced): the row now needs them, write them again.
    if (!(await this.#blobs.has(blob.ref))) await this.#blobs.put(decision.bytes);
    return artifact;
  }

  async get(id: string): Promise<Artifact> {
    const artifact = await this.find(id);
    if (artifact === undefined) {
      throw new ShenbiError('ARTIFACT_NOT_FOUND', `No artifact with id ${id}.`, {
        hint: 'List artifacts with: shenbi artifacts list',
        details: { id },
      });
    }
    return artifact;
  }

  async find(id: string): Promise<Artifact | undefined> {
    const row = await this.#db.selectFrom('artifacts').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : rowToArtifact(row);
  }

  async read(id: string): Promise<{ artifact: Artifact; bytes: Buffer }> {
    const artifact = await this.get(id);
    // Hash here, against the recorded digest, whatever the blob backend does.
    const bytes = await this.#blobs.read(artifact.blobRef, { verify: false });
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== artifact.sha256 || bytes.byteLength !== artifact.size || artifact.blobRef !== blobRefFor(artifact.sha256)) {
      throw new ShenbiError('BLOB_CORRUPT', `The bytes of artifact ${id} are corrupt: expected sha256:${artifact.sha256}, found sha256:${actual}.`, {
        details: { id, expected: artifact.sha256, actual, expectedSize: artifact.size, actualSize: bytes.byteLength },
        hint: 'The blob file was changed or damaged on disk; regenerate the artifact.',
      });
    }
    return { artifact, bytes };
  }

  async list(filter: ArtifactFilter = {}): Promise<Artifact[]> {
    const { jobId, kind, limit, produceId } = parseOrThrow(artifactFilterSchema, filter, 'artifact filter');
    let query = this.#db.selectFrom('artifacts').selectAll();
    if (jobId !== undefined) query = query.where('job_id', '=', jobId);
    if (kind !== undefined) query = query.where('kind', '=', kind);
    // The labels column is JSON text on both databases; the pattern has no % and its _ only
    // widens the match, so the exact check on the parsed labels below decides.
    if (produceId !== undefined) query = query.where('labels', 'like', `%"ProduceID":"${produceId}"%`);
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (limit !== undefined && produceId === undefined) query = query.limit(limit);
    const rows = await query.execute();
    const artifacts = rows.map(rowToArtifact);
    if (produceId === undefined) return artifacts;
    const carrying = artifacts.filter((a) => a.labels.some((l) => l.type === 'aigc-implicit' && (l.value as { ProduceID?: unknown } | null)?.ProduceID === produceId));
    return limit === undefined ? carrying : carrying.slice(0, limit);
  }

  async delete(ids: string | readonly string[], options: Partial<SweepOptions> = {}): Promise<ReclaimReport> {
    const list = parseOrThrow(idListSchema, typeof ids === 'string' ? [ids] : ids, 'artifact ids');
    const deleted = await deleteArtifactRows(this.#db, list);
    return this.#reclaim(deleted, options);
  }

  async deleteByJob(jobId: string, options: Partial<SweepOptions> = {}): Promise<ReclaimReport> {
    const deleted = await deleteJobArtifactRows(this.#db, parseOrThrow(idSchema, jobId, 'job id'));
    return this.#reclaim(deleted, options);
  }

  async discardStepOutputs(jobId: string, stepId: string): Promise<ReclaimReport> {
    const deleted = await deleteStepArtifactRows(this.#db, parseOrThrow(idSchema, jobId, 'job id'), parseOrThrow(z.string().min(1), stepId, 'step id'));
    if (deleted.ids.length === 0) return { deletedArtifacts: [], blobsRemoved: 0, bytesReclaimed: 0, blobsKept: 0 };
    return this.#reclaim(deleted, {});
  }

  async sweepUnreferencedBlobs(options: SweepOptions): Promise<ReclaimReport> {
    const { olderThanMs } = parseOrThrow(sweepOptionsSchema, options, 'sweep options');
    return sweepBlobs(this.#db, this.#blobs, { olderThanMs });
  }

  async #reclaim(deleted: { ids: string[]; refs: string[] }, options: Partial<SweepOptions>): Promise<ReclaimReport> {
    const olderThanMs = options.olderThanMs ?? DELETE_SWEEP_GRACE_MS;
    const swept = await sweepBlobs(this.#db, this.#blobs, { olderThanMs, refs: deleted.refs });
    return { ...swept, deletedArtifacts: deleted.ids };
  }
}

function rowToArtifact(row: Selectable<ArtifactsTable>): Artifact {
  return parseOrThrow(
    artifactSchema,
    {
      id: row.id,
      kind: row.kind,
      mimeType: row.mime_type,
      size: Number(row.size),
      sha256: row.sha256,
      blobRef: row.blob_ref,
      name: row.name,
      jobId: row.job_id,
      stepId: row.step_id,
      createdAt: row.created_at,
      provenance: parseJsonText(row.provenance, `provenance of artifact ${row.id}`),
      labels: parseJsonText(row.labels, `labels of artifact ${row.id}`),
    },
    `artifact ${row.id}`,
    'DATABASE_ERROR',
  );
}
