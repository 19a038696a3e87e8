import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { isErrorCode, ShenbiError, toShenbiError } from '../../core/errors.ts';
import type { PipelineSpecInput } from '../../core/pipeline.ts';
import { TERMINAL_JOB_STATUSES, type JobEvent } from '../../core/progress.ts';
import { findPipeline, pipelineForTask } from '../../pipelines/index.ts';
import type { JobRecord, JobStepRecord } from '../../store/types.ts';
import type { Principal, ServerEnv, ServerServices } from '../context.ts';
import { errorBodyFor, readsServerPaths } from '../http-error.ts';
import { readQuery } from '../middleware/query.ts';
import { redactDeep } from '../redact-paths.ts';
import type { SequencedEvent } from '../job-event-log.ts';
import { outputArtifactIds, visibleJob } from '../jobs-access.ts';
import { readJsonBody } from '../middleware/json-body.ts';
import type { RouteBook } from '../route-book.ts';

export const submitJobSchema = z
  .object({
    /** A task kind (`speech`, `text`, …); `input` is the task's input. */
    task: z.string().min(1).max(50).optional(),
    /** A built-in pipeline id or alias, or a pipeline spec. */
    pipeline: z.union([z.string().min(1).max(200), z.record(z.string(), z.unknown())]).optional(),
    input: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((b) => (b.task === undefined) !== (b.pipeline === undefined), { message: 'give exactly one of "task" or "pipeline"', path: ['task'] });

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict();

/** A stored error as a caller reads it: server paths redacted for all but the local user. */
function errorFor<T>(principal: Principal | undefined, error: T): T {
  return readsServerPaths(principal) ? error : redactDeep(error);
}

/** What `GET /api/jobs/:id` returns and the final `result` event carries (errors as `principal` may read them). */
export async function jobView(services: ServerServices, job: JobRecord, principal?: Principal, stepsRead?: JobStepRecord[]) {
  // Independent reads, at once (a round trip each on PostgreSQL).
  const [steps, artifacts] = await Promise.all([
    stepsRead ?? services.shenbi.store.jobs.steps(job.id),
    Promise.all(outputArtifactIds(job).map((id) => services.shenbi.store.artifacts.find(id))),
  ]);
  return {
    id: job.id,
    pipelineId: job.pipelineId,
    status: job.status,
    input: job.input,
    outputs: job.outputs,
    error: errorFor(principal, job.error),
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    steps: steps.map((s) => ({ id: s.stepId, status: s.status, attempts: s.attempts, error: errorFor(principal, s.error) })),
    artifacts: artifacts.filter((a) => a !== undefined).map((a) => ({ id: a.id, kind: a.kind, mimeType: a.mimeType, size: a.size, name: a.name, labels: a.labels, url: `/api/artifacts/${a.id}` })),
  };
}

function pipelineOf(body: z.output<typeof submitJobSchema>): { spec: PipelineSpecInput; input: Record<string, unknown> } {
  if (body.task !== undefined) return { spec: pipelineForTask(body.task, body.input), input: {} };
  const pipeline = body.pipeline!;
  if (typeof pipeline === 'string') {
    // Ids only: a path would make the server read a file of the caller's choosing.
    if (/[\\/]|\.json$/i.test(pipeline)) throw new ShenbiError('INVALID_INPUT', 'pipeline must be a pipeline id or a spec object, not a file path.', { details: { issues: [{ path: 'pipeline', message: 'file paths are not accepted' }] } });
    return { spec: findPipeline(pipeline), input: body.input };
  }
  return { spec: pipeline as PipelineSpecInput, input: body.input };
}

export function registerJobRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'post', path: '/api/jobs', summary: 'Submit a task or pipeline job; returns 202 with its id.', tag: 'jobs', scope: 'generate', body: submitJobSchema }, async (c) => {
    const { spec, input } = pipelineOf(await readJsonBody(c, submitJobSchema));
    // Reserves the job's estimated tokens and media seconds first: QUOTA_EXCEEDED if they do not fit.
    const job = await services.quotas.submitJob(c.get('principal'), spec, input);
    c.header('Location', `/api/jobs/${job.id}`);
    return c.json({ id: job.id, status: job.status, events: `/api/jobs/${job.id}/events` }, 202);
  });

  book.add({ method: 'get', path: '/api/jobs', summary: "List the caller's jobs, newest first.", tag: 'jobs', scope: 'jobs:read' }, async (c) => {
    const { limit } = readQuery(c, listQuery);
    const principal = c.get('principal');
    const jobs =
      principal.key === null
        ? await services.shenbi.store.jobs.list({ limit })
        : (await Promise.all((await services.keys.tenantJobIds(principal.tenant, limit)).map((id) => services.shenbi.store.jobs.find(id)))).filter((j) => j !== undefined);
    return c.json({ data: jobs.map((j) => ({ id: j.id, pipelineId: j.pipelineId, status: j.status, createdAt: j.createdAt, finishedAt: j.finishedAt, error: errorFor(principal, j.error) })) });
  });

  book.add({ method: 'get', path: '/api/jobs/:id', summary: 'A job with its steps and output artifacts.', tag: 'jobs', scope: 'jobs:read' }, async (c) => {
    const job = await visibleJob(services, c.get('principal'), c.req.param('id')!);
    return c.json(await jobView(services, job, c.get('principal')));
  });

  book.add({ method: 'post', path: '/api/jobs/:id/cancel', summary: 'Cancel a queued or running job.', tag: 'jobs', scope: 'generate' }, async (c) => {
    const job = await visibleJob(services, c.get('principal'), c.req.param('id')!);
    await services.shenbi.runner.cancel(job.id);
    return c.json(await jobView(services, await services.shenbi.store.jobs.get(job.id), c.get('principal')));
  });

  book.add(
    { method: 'get', path: '/api/jobs/:id/events', summary: 'Live progress as Server-Sent Events, in order, ending with a "result" or "error" event. Supports Last-Event-ID.', tag: 'jobs', scope: 'jobs:read', produces: 'sse' },
    async (c) => {
      const job = await visibleJob(services, c.get('principal'), c.req.param('id')!);
      const after = Number.parseInt(c.req.header('last-event-id') ?? '0', 10);
      return streamJobEvents(c, services, job, Number.isFinite(after) ? after : 0);
    },
  );
}

const KEEPALIVE_MS = 15_000;

/** Replays and follows a job's events, then sends its final record (`result`) or error (`error`). */
function streamJobEvents(c: Context<ServerEnv>, services: ServerServices, job: JobRecord, afterSeq: number): Response {
  const principal = c.get('principal');
  return streamSSE(c, async (stream) => {
    const queue: SequencedEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const { unsubscribe, known, ended: endedBefore } = services.events.subscribe(job.id, afterSeq, (entry) => {
      queue.push(entry);
      wake?.();
    });
    stream.onAbort(() => {
      ended = true;
      wake?.();
    });
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => {}), KEEPALIVE_MS);
    try {
      // It ended before anything was recorded here (or its events were let go), or the caller
      // has seen its end already (Last-Event-ID): the final state is all there is to send.
      if ((!known && isTerminal(job.status)) || (endedBefore && queue.length === 0)) {
        await stream.write(await finalFrame(services, await services.shenbi.store.jobs.get(job.id), principal));
        return;
      }
      // Events come from this process's runner or, for a job another process runs (or ran and
      // died), from the store (JobEventLog follows it): either way the job's end comes last.
      while (!ended) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        // Every event waiting goes out in one write (a short job's whole history at once), and
        // the end together with the final record.
        let frames = '';
        let end: JobEvent | undefined;
        while (end === undefined && queue.length > 0) {
          const entry = queue.shift()!;
          frames += sseFrame({ id: String(entry.seq), event: entry.event.type, data: JSON.stringify(eventFor(principal, entry.event)) });
          if (entry.event.type === 'job.completed' || entry.event.type === 'job.failed' || entry.event.type === 'job.cancelled') end = entry.event;
        }
        if (end === undefined) {
          await stream.write(frames);
          continue;
        }
        let final: string;
        try {
          // The steps are part of a completed job's view only: read them beside the job then.
          const [stored, steps] = await Promise.all([services.shenbi.store.jobs.get(job.id), end.type === 'job.completed' ? services.shenbi.store.jobs.steps(job.id) : undefined]);
          final = await finalFrame(services, endedAs(stored, end), principal, steps);
        } catch (error) {
          // The end is known even if its record cannot be read now.
          await stream.write(frames);
          throw error;
        }
        await stream.write(frames + final);
        return;
      }
    } finally {
      clearInterval(keepalive);
      unsubscribe();
    }
  });
}

/** One Server-Sent Event, byte for byte as hono's writeSSE writes it (data split into lines). */
function sseFrame(message: { event: string; data: string; id?: string }): string {
  const data = message.data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n');
  return `event: ${message.event}\n${data}\n${message.id === undefined ? '' : `id: ${message.id}\n`}\n`;
}

function isTerminal(status: JobRecord['status']): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/**
 * The job as its end event says it ended: the store may not have the end yet (its runner
 * could not write it, e.g. on a full disk, and writes it again later).
 */
function endedAs(stored: JobRecord, end: JobEvent): JobRecord {
  if (isTerminal(stored.status)) return stored;
  if (end.type === 'job.completed') return { ...stored, status: 'completed', outputs: end.outputs };
  if (end.type === 'job.cancelled') return { ...stored, status: 'cancelled' };
  if (end.type === 'job.failed') return { ...stored, status: 'failed', error: { code: isErrorCode(end.code) ? end.code : 'JOB_FAILED', message: end.message } };
  return stored;
}

/** An event as a caller reads it: the messages of failures, retries and progress without server paths. */
function eventFor(principal: Principal, event: JobEvent): JobEvent {
  return 'message' in event && typeof event.message === 'string' ? { ...event, message: errorFor(principal, event.message) } : event;
}

/** The stream's last event: the job's view (`result`) or its error (`error`). */
async function finalFrame(services: ServerServices, job: JobRecord, principal: Principal, steps?: JobStepRecord[]): Promise<string> {
  if (job.status === 'completed') return sseFrame({ event: 'result', data: JSON.stringify(await jobView(services, job, principal, steps)) });
  const error =
    job.status === 'cancelled'
      ? new ShenbiError('JOB_CANCELLED', `Job ${job.id} was cancelled.`)
      : toShenbiError(new ShenbiError(job.error?.code ?? 'JOB_FAILED', job.error?.message ?? `Job ${job.id} failed.`, { ...(job.error?.hint ? { hint: job.error.hint } : {}), details: { jobId: job.id } }));
  return sseFrame({ event: 'error', data: JSON.stringify(errorBodyFor(principal, error)) });
}
