import type { Kysely, Transaction } from 'kysely';
import { ShenbiError } from '../core/errors.ts';
import type { Database } from './db/schema.ts';
import type { BlobStore, ReclaimReport } from './types.ts';

/** Jobs in these states may still write or read their artifacts. */
const LIVE_JOB_STATUSES = ['queued', 'running'];
const CHUNK = 500;

interface DeletedRows {
  ids: string[];
  refs: string[];
}

/**
 * Deletes artifact rows by id, all or none. The provenance-ledger entries are NOT touched:
 * the ledger is append-only history of what was generated, and `ledger verify` tolerates
 * an entry whose artifact row is gone. What a user deletes is the content, not the record
 * that it once existed.
 */
export async function deleteArtifactRows(db: Kysely<Database>, ids: readonly string[]): Promise<DeletedRows> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return { ids: [], refs: [] };
  return db.transaction().execute(async (trx) => {
    const rows = [];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      rows.push(...(await trx.selectFrom('artifacts').select(['id', 'blob_ref', 'job_id']).where('id', 'in', chunk).execute()));
    }
    const found = new Set(rows.map((r) => r.id));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ShenbiError('ARTIFACT_NOT_FOUND', `No artifact with id ${missing.join(', ')}.`, {
        details: { ids: missing },
        hint: 'List artifacts with: shenbi artifacts list',
      });
    }
    await refuseLiveJobs(trx, rows.map((r) => r.job_id));
    for (let i = 0; i < unique.length; i += CHUNK) {
      await trx.deleteFrom('artifacts').where('id', 'in', unique.slice(i, i + CHUNK)).execute();
    }
    return { ids: unique, refs: [...new Set(rows.map((r) => r.blob_ref))] };
  });
}

/** Deletes every artifact row of a job; JOB_NOT_FOUND if there is neither job nor artifact. */
export async function deleteJobArtifactRows(db: Kysely<Database>, jobId: string): Promise<DeletedRows> {
  return db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom('jobs').select(['id']).where('id', '=', jobId).executeTakeFirst();
    const rows = await trx.selectFrom('artifacts').select(['id', 'blob_ref']).where('job_id', '=', jobId).execute();
    if (job === undefined && rows.length === 0) {
      throw new ShenbiError('JOB_NOT_FOUND', `No job ${jobId}.`, { details: { id: jobId }, hint: 'List jobs with: shenbi jobs list' });
    }
    await refuseLiveJobs(trx, [jobId]);
    await trx.deleteFrom('artifacts').where('job_id', '=', jobId).execute();
    return { ids: rows.map((r) => r.id), refs: [...new Set(rows.map((r) => r.blob_ref))] };
  });
}

/**
 * Deletes the artifact rows one step of a job wrote in an attempt that did not complete (its
 * runner died, or the attempt failed and is retried): the next attempt writes its own, so the
 * job ends with one set. The job is live by design here, so there is no JOB_RUNNING check.
 */
export async function deleteStepArtifactRows(db: Kysely<Database>, jobId: string, stepId: string): Promise<DeletedRows> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('artifacts').select(['id', 'blob_ref']).where('job_id', '=', jobId).where('step_id', '=', stepId).execute();
    if (rows.length === 0) return { ids: [], refs: [] };
    await trx.deleteFrom('artifacts').where('job_id', '=', jobId).where('step_id', '=', stepId).execute();
    return { ids: rows.map((r) => r.id), refs: [...new Set(rows.map((r) => r.blob_ref))] };
  });
}

async function refuseLiveJobs(trx: Transaction<Database>, jobIds: readonly (string | null)[]): Promise<void> {
  const ids = [...new Set(jobIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return;
  const live = await trx.selectFrom('jobs').select(['id', 'status']).where('id', 'in', ids).where('status', 'in', LIVE_JOB_STATUSES).execute();
  const first = live[0];
  if (first !== undefined) {
    throw new ShenbiError('JOB_RUNNING', `Job ${first.id} is ${first.status}; its artifacts cannot be deleted until it ends.`, {
      details: { jobs: live.map((j) => ({ id: j.id, status: j.status })) },
      hint: `Wait for it, or cancel it first: shenbi jobs cancel ${first.id}`,
    });
  }
}

/**
 * Removes blob files no artifact row references. `refs` limits the sweep to those blobs
 * (after a delete); without it every blob on disk is looked at. Files changed within
 * `olderThanMs` are kept: a put of the same bytes refreshes the mtime before it inserts
 * its row, so a put in flight is not swept from under it (and the blob store re-checks
 * references after moving the file aside, which covers a grace of 0 too).
 */
export async function sweepBlobs(
  db: Kysely<Database>,
  blobs: BlobStore,
  options: { olderThanMs: number; refs?: readonly string[] },
): Promise<ReclaimReport> {
  const report: ReclaimReport = { deletedArtifacts: [], blobsRemoved: 0, bytesReclaimed: 0, blobsKept: 0 };
  const isReferenced = (ref: string) => async () =>
    (await db.selectFrom('artifacts').select('id').where('blob_ref', '=', ref).limit(1).executeTakeFirst()) !== undefined;
  const sweepChunk = async (refs: string[]) => {
    const referenced = new Set(
      (await db.selectFrom('artifacts').select('blob_ref').distinct().where('blob_ref', 'in', refs).execute()).map((r) => r.blob_ref),
    );
    for (const ref of refs) {
      if (referenced.has(ref)) continue;
      const outcome = await blobs.removeUnreferenced(ref, { olderThanMs: options.olderThanMs, isReferenced: isReferenced(ref) });
      if (outcome.removed) {
        report.blobsRemoved += 1;
        report.bytesReclaimed += outcome.size;
      } else if (outcome.reason === 'recent') report.blobsKept += 1;
    }
  };
  if (options.refs !== undefined) {
    for (let i = 0; i < options.refs.length; i += CHUNK) await sweepChunk(options.refs.slice(i, i + CHUNK));
    return report;
  }
  let pending: string[] = [];
  for await (const entry of blobs.entries()) {
    pending.push(entry.ref);
    if (pending.length >= CHUNK) {
      await sweepChunk(pending);
      pending = [];
    }
  }
  if (pending.length > 0) await sweepChunk(pending);
  return report;
}
