import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import { z } from 'zod';
import { ShenbiError } from '../core/errors.ts';
import { pipelineSpecSchema } from '../core/pipeline.ts';
import type { JobStatus, StepStatus } from '../core/progress.ts';
import { jobCallerSchema, LOCAL_CALLER } from '../core/job-caller.ts';
import { parseOrThrow } from '../core/validation.ts';
import type { Dialect } from './db/connect.ts';
import { databaseFailure } from './db/database-failure.ts';
import { readJsonColumn, readNullableJsonColumn } from './db/json-column.ts';
import type { Database, JobStepsTable, JobsTable } from './db/schema.ts';
import { errorFromColumns, errorToColumns, serializedErrorSchema } from './error-columns.ts';
import type { JobFilter, JobPatch, JobRecord, JobRepository, JobStepRecord, NewJob } from './types.ts';

const JOB_STATUS: Record<JobStatus, true> = { queued: true, running: true, completed: true, failed: true, cancelled: true };
const STEP_STATUS: Record<StepStatus, true> = {
  pending: true,
  running: true,
  completed: true,
  cached: true,
  failed: true,
  cancelled: true,
  skipped: true,
};
/** Final states: no later write may move a job out of them. */
const ENDED_STATUSES: JobStatus[] = ['completed', 'failed', 'cancelled'];
const jobStatusSchema = z.enum(Object.keys(JOB_STATUS) as [JobStatus, ...JobStatus[]]);
const stepStatusSchema = z.enum(Object.keys(STEP_STATUS) as [StepStatus, ...StepStatus[]]);
const jsonObjectSchema = z.record(z.string(), z.unknown());
const isoTimestamp = z.string().min(1);

const newJobSchema = z.object({
  id: z.string().min(1),
  spec: pipelineSpecSchema,
  input: jsonObjectSchema,
  caller: jobCallerSchema.default(LOCAL_CALLER),
  lease: z.object({ owner: z.string().min(1), at: z.number().int().nonnegative() }).strict().optional(),
});

const jobPatchSchema = z
  .object({
    status: jobStatusSchema,
    outputs: jsonObjectSchema.nullable(),
    error: serializedErrorSchema.nullable(),
    recoveries: z.number().int().nonnegative(),
    owner: z.string().min(1).nullable(),
    heartbeatAt: z.number().int().nonnegative().nullable(),
    startedAt: isoTimestamp.nullable(),
    finishedAt: isoTimestamp.nullable(),
  })
  .partial()
  .strict();

const stepPatchSchema = z
  .object({
    status: stepStatusSchema,
    attempts: z.number().int().nonnegative(),
    cacheKey: z.string().min(1).nullable(),
    outputs: jsonObjectSchema.nullable(),
    error: serializedErrorSchema.nullable(),
    startedAt: isoTimestamp.nullable(),
    finishedAt: isoTimestamp.nullable(),
  })
  .partial()
  .strict();

const jobFilterSchema = z
  .object({ status: jobStatusSchema.optional(), limit: z.number().int().positive().optional() })
  .strict();

const ownerSchema = z.string().min(1);
const epochMsSchema = z.number().int().nonnegative();

/**
 * Jobs and their steps in SQL. The runner calls this on hot paths, so each method is one
 * statement (create: one transaction with a multi-row insert for the steps), and `claim`
 * is a single conditional UPDATE whose affected-row count says who won.
 */
/**
 * Whether `owner` may take a queued job: it waits in its submitter's queue while that process
 * lives (its lease is fresh), or in anyone's when it has no owner (claim and claimFresh).
 */
function queuedLeaseFree(eb: ExpressionBuilder<Database, 'jobs'>, owner: string, staleBefore: number) {
  return eb.or([eb('owner', 'is', null), eb('owner', '=', owner), eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore)]);
}

export class SqlJobRepository implements JobRepository {
  readonly #db: Kysely<Database>;
  readonly #dialect: Dialect;

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async create(job: NewJob): Promise<JobRecord> {
    const { id, spec, input, caller, lease } = parseOrThrow(newJobSchema, job, 'job');
    const now = new Date().toISOString();
    const row: JobsTable = {
      id,
      pipeline_id: spec.id,
      spec: JSON.stringify(spec),
      input: JSON.stringify(input),
      caller_tenant: caller.tenant,
      local_files: caller.localFiles ? 1 : 0,
      status: 'queued',
      outputs: null,
      error_code: null,
      error_message: null,
      error_detail: null,
      recoveries: 0,
      owner: lease?.owner ?? null,
      heartbeat_at: lease?.at ?? null,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
    };
    const steps: JobStepsTable[] = spec.steps.map((step, position) => ({
      job_id: id,
      step_id: step.id,
      position,
      status: 'pending',
      attempts: 0,
      cache_key: null,
      outputs: null,
      error_code: null,
      error_message: null,
      error_detail: null,
      started_at: null,
      finished_at: null,
    }));
    try {
      if (this.#dialect === 'postgres') {
        // One statement, so one round trip instead of four (BEGIN, two INSERTs, COMMIT), and as
        // atomic: a shared queue's worker may be delivered the id while this is in flight.
        await this.#db
          .with('job', (db) => db.insertInto('jobs').values(row).returning('id'))
          .insertInto('job_steps')
          .values(steps)
          .execute();
      } else {
        // SQLite has no INSERT inside WITH; its transaction costs no round trips.
        await this.#db.transaction().execute(async (trx) => {
          await trx.insertInto('jobs').values(row).execute();
          await trx.insertInto('job_steps').values(steps).execute();
        });
      }
    } catch (error) {
      throw databaseFailure(`creating job ${id}`, error);
    }
    return rowToJob(row, spec, input);
  }

  async get(id: string): Promise<JobRecord> {
    const job = await this.find(id);
    if (job === undefined) throw jobNotFound(id);
    return job;
  }

  async find(id: string): Promise<JobRecord | undefined> {
    const row = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`reading job ${id}`, error);
      });
    return row === undefined ? undefined : rowToJob(row);
  }

  async list(filter: JobFilter = {}): Promise<JobRecord[]> {
    const { status, limit } = parseOrThrow(jobFilterSchema, filter, 'job filter');
    let query = this.#db.selectFrom('jobs').selectAll();
    if (status !== undefined) query = query.where('status', '=', status);
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (limit !== undefined) query = query.limit(limit);
    const rows = await query.execute().catch((error: unknown) => {
      throw databaseFailure('listing jobs', error);
    });
    return rows.map((row) => rowToJob(row));
  }

  async update(id: string, patch: JobPatch): Promise<boolean> {
    const valid = parseOrThrow(jobPatchSchema, patch, 'job update');
    const set: Updateable<JobsTable> = { updated_at: new Date().toISOString() };
    if (valid.status !== undefined) set.status = valid.status;
    if (valid.outputs !== undefined) set.outputs = valid.outputs === null ? null : JSON.stringify(valid.outputs);
    if (valid.error !== undefined) Object.assign(set, errorToColumns(valid.error));
    if (valid.recoveries !== undefined) set.recoveries = valid.recoveries;
    if (valid.owner !== undefined) set.owner = valid.owner;
    if (valid.heartbeatAt !== undefined) set.heartbeat_at = valid.heartbeatAt;
    if (valid.startedAt !== undefined) set.started_at = valid.startedAt;
    if (valid.finishedAt !== undefined) set.finished_at = valid.finishedAt;
    let query = this.#db.updateTable('jobs').set(set).where('id', '=', id);
    if (valid.status !== undefined) query = query.where('status', 'not in', ENDED_STATUSES);
    const result = await query
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`updating job ${id}`, error);
      });
    if (result.numUpdatedRows > 0n) return true;
    // Either there is no such job, or it had already ended (rare: look which).
    if ((await this.find(id)) === undefined) throw jobNotFound(id);
    return false;
  }

  async claim(id: string, owner: string, now: number, staleBefore: number): Promise<boolean> {
    parseOrThrow(ownerSchema, owner, 'owner');
    parseOrThrow(epochMsSchema, now, 'now');
    parseOrThrow(epochMsSchema, staleBefore, 'staleBefore');
    const at = new Date(now).toISOString();
    const result = await this.#db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        owner,
        heartbeat_at: now,
        updated_at: at,
        started_at: eb.fn.coalesce('started_at', eb.val(at)),
      }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), queuedLeaseFree(eb, owner, staleBefore)]),
          eb.and([eb('status', '=', 'running'), eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore)])]),
        ]),
      )
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`claiming job ${id}`, error);
      });
    return result.numUpdatedRows === 1n;
  }

  async claimFresh(id: string, owner: string, now: number, staleBefore: number): Promise<JobRecord | undefined> {
    parseOrThrow(ownerSchema, owner, 'owner');
    parseOrThrow(epochMsSchema, now, 'now');
    parseOrThrow(epochMsSchema, staleBefore, 'staleBefore');
    const at = new Date(now).toISOString();
    const row = await this.#db
      .updateTable('jobs')
      .set({ status: 'running', owner, heartbeat_at: now, updated_at: at, started_at: at })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .where('started_at', 'is', null)
      .where((eb) => queuedLeaseFree(eb, owner, staleBefore))
      .returningAll()
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`claiming job ${id}`, error);
      });
    return row === undefined ? undefined : rowToJob(row);
  }

  async heartbeat(owner: string, now: number): Promise<void> {
    parseOrThrow(ownerSchema, owner, 'owner');
    parseOrThrow(epochMsSchema, now, 'now');
    await this.#db
      .updateTable('jobs')
      .set({ heartbeat_at: now })
      .where('status', 'in', ['queued', 'running'])
      .where('owner', '=', owner)
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`refreshing the heartbeat of ${owner}`, error);
      });
  }

  async listRecoverable(staleBefore: number): Promise<JobRecord[]> {
    parseOrThrow(epochMsSchema, staleBefore, 'staleBefore');
    const rows = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where((eb) =>
        eb.and([
          eb('status', 'in', ['queued', 'running']),
          eb.or([eb('owner', 'is', null), eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', staleBefore)]),
        ]),
      )
      // Oldest first: jobs resume in the order they were submitted.
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure('listing recoverable jobs', error);
      });
    return rows.map((row) => rowToJob(row));
  }

  async releaseQueued(owner: string): Promise<void> {
    parseOrThrow(ownerSchema, owner, 'owner');
    await this.#db
      .updateTable('jobs')
      .set({ owner: null, heartbeat_at: null })
      .where('status', '=', 'queued')
      .where('owner', '=', owner)
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`handing back the queued jobs of ${owner}`, error);
      });
  }

  async oldestLease(exceptOwner: string, staleBefore: number): Promise<number | null> {
    parseOrThrow(ownerSchema, exceptOwner, 'owner');
    parseOrThrow(epochMsSchema, staleBefore, 'staleBefore');
    const row = await this.#db
      .selectFrom('jobs')
      .select((eb) => eb.fn.min('heartbeat_at').as('oldest'))
      .where('status', 'in', ['queued', 'running'])
      .where('owner', 'is not', null)
      .where('owner', '<>', exceptOwner)
      .where('heartbeat_at', '>=', staleBefore)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure('reading the oldest job lease', error);
      });
    return row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
  }

  async steps(jobId: string): Promise<JobStepRecord[]> {
    const rows = await this.#db
      .selectFrom('job_steps')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('position', 'asc')
      .execute()
      .catch((error: unknown) => {
        throw databaseFailure(`reading the steps of job ${jobId}`, error);
      });
    return rows.map(rowToStep);
  }

  async updateStep(jobId: string, stepId: string, patch: Partial<Omit<JobStepRecord, 'jobId' | 'stepId'>>): Promise<void> {
    const valid = parseOrThrow(stepPatchSchema, patch, 'step update');
    const set: Updateable<JobStepsTable> = {};
    if (valid.status !== undefined) set.status = valid.status;
    if (valid.attempts !== undefined) set.attempts = valid.attempts;
    if (valid.cacheKey !== undefined) set.cache_key = valid.cacheKey;
    if (valid.outputs !== undefined) set.outputs = valid.outputs === null ? null : JSON.stringify(valid.outputs);
    if (valid.error !== undefined) Object.assign(set, errorToColumns(valid.error));
    if (valid.startedAt !== undefined) set.started_at = valid.startedAt;
    if (valid.finishedAt !== undefined) set.finished_at = valid.finishedAt;
    if (Object.keys(set).length === 0) return;
    const result = await this.#db
      .updateTable('job_steps')
      .set(set)
      .where('job_id', '=', jobId)
      .where('step_id', '=', stepId)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`updating step ${stepId} of job ${jobId}`, error);
      });
    if (result.numUpdatedRows === 0n) {
      throw new ShenbiError('JOB_NOT_FOUND', `Job ${jobId} has no step ${stepId}.`, { details: { jobId, stepId } });
    }
  }
}

function jobNotFound(id: string): ShenbiError {
  return new ShenbiError('JOB_NOT_FOUND', `No job with id ${id}.`, { hint: 'List jobs with: shenbi jobs list', details: { id } });
}

const storedJobSchema = z.object({
  status: jobStatusSchema,
  recoveries: z.number().int().nonnegative(),
  heartbeatAt: z.number().int().nullable(),
});

/** `spec`/`input` may be passed when the caller already holds them validated (create). */
function rowToJob(row: Selectable<JobsTable>, spec?: JobRecord['spec'], input?: JobRecord['input']): JobRecord {
  const what = `job ${row.id}`;
  const scalars = parseOrThrow(
    storedJobSchema,
    { status: row.status, recoveries: Number(row.recoveries), heartbeatAt: row.heartbeat_at === null ? null : Number(row.heartbeat_at) },
    `stored ${what}`,
    'DATABASE_ERROR',
  );
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    spec: spec ?? readJsonColumn(pipelineSpecSchema, row.spec, `pipeline spec of ${what}`),
    input: input ?? readJsonColumn(jsonObjectSchema, row.input, `input of ${what}`),
    // Anything but an explicit 1 restricts: a damaged row never widens what a job may read.
    caller: { tenant: row.caller_tenant, localFiles: Number(row.local_files) === 1 },
    status: scalars.status,
    outputs: readNullableJsonColumn(jsonObjectSchema, row.outputs, `outputs of ${what}`),
    error: errorFromColumns(row, what),
    recoveries: scalars.recoveries,
    owner: row.owner,
    heartbeatAt: scalars.heartbeatAt,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

const storedStepSchema = z.object({ status: stepStatusSchema, attempts: z.number().int().nonnegative() });

function rowToStep(row: Selectable<JobStepsTable>): JobStepRecord {
  const what = `step ${row.step_id} of job ${row.job_id}`;
  const scalars = parseOrThrow(storedStepSchema, { status: row.status, attempts: Number(row.attempts) }, `stored ${what}`, 'DATABASE_ERROR');
  return {
    jobId: row.job_id,
    stepId: row.step_id,
    status: scalars.status,
    attempts: scalars.attempts,
    cacheKey: row.cache_key,
    outputs: row.outputs === null ? null : readJsonColumn(jsonObjectSchema, row.outputs, `outputs of ${what}`),
    error: errorFromColumns(row, what),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

