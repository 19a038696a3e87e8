import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import type { PipelineSpecInput } from '../../core/pipeline.ts';
import { TERMINAL_JOB_STATUSES } from '../../core/progress.ts';
import { findPipeline, pipelineForTask } from '../../pipelines/index.ts';
import type { JobRecord } from '../../store/types.ts';
import type { ServerEnv, ServerServices } from '../context.ts';
import { errorBody } from '../http-error.ts';
import type { SequencedEvent } from '../job-event-log.ts';
import { outputArtifactIds, submitOwnedJob, visibleJob } from '../jobs-access.ts';
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

/** What `GET /api/jobs/:id` returns and the final `result` event carries. */
export async function jobView(services: ServerServices, job: JobRecord) {
  const steps = await services.shenbi.store.jobs.steps(job.id);
  const artifacts = await Promise.all(outputArtifactIds(job).map((id) => services.shenbi.store.artifacts.find(id)));
  return {
    id: job.id,
    pipelineId: job.pipelineId,
    status: job.status,
    input: job.input,
    outputs: job.outputs,
    error: job.error,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    steps: steps.map((s) => ({ id: s.stepId, status: s.status, attempts: s.attempts, error: s.error })),
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
    const job = await submitOwnedJob(services, c.get('principal'), spec, input);
    c.header('Location', `/api/jobs/${job.id}`);
    return c.json({ id: job.id, status: job.status, events: `/api/jobs/${job.id}/events` }, 202);
  });

  book.add({ method: 'get', path: '/api/jobs', summary: "List the caller's jobs, newest first.", tag: 'jobs', scope: 'jobs:read' }, async (c) => {
    const { limit } = listQuery.parse(c.req.query());
    const principal = c.get('principal');
    const jobs =
      principal.key === null
        ? await services.shenbi.store.jobs.list({ limit })
        : (await Promise.all((await services.keys.tenantJobIds(principal.tenant, limit)).map((id) => services.shenbi.store.jobs.find(id)))).filter((j) => j !== undefined);
    return c.json({ data: jobs.map((j) => ({ id: j.id, pipelineId: j.pipelineId, status: j.status, createdAt: j.createdAt, finishedAt: j.finishedAt, error: j.error })) });
  });

  book.add({ method: 'get', path: '/api/jobs/:id', summary: 'A job with its steps and output artifacts.', tag: 'jobs', scope: 'jobs:read' }, async (c) => {
    const job = await visibleJob(services, c.get('principal'), c.req.param('id')!);
    return c.json(await jobView(services, job));
  });

  book.add({ method: 'post', path: '/api/jobs/:id/cancel', summary: 'Cancel a queued or running job.', tag: 'jobs', scope: 'generate' }, async (c) => {
    const job = await visibleJob(services, c.get('principal'), c.req.param('id')!);
    await services.shenbi.runner.cancel(job.id);
    return c.json(await jobView(services, await services.shenbi.store.jobs.get(job.id)));
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
  return streamSSE(c, async (stream) => {
    const queue: SequencedEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const { unsubscribe, known } = services.events.subscribe(job.id, afterSeq, (entry) => {
      queue.push(entry);
      wake?.();
    });
    stream.onAbort(() => {
      ended = true;
      wake?.();
    });
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => {}), KEEPALIVE_MS);
    try {
      // No events recorded and not in this process's log: it ended earlier, or runs elsewhere.
      if (!known && !isTerminal(job.status)) {
        const finished = await waitOrAbort(services, job.id, stream);
        if (finished !== undefined) await sendFinal(stream, services, finished);
        return;
      }
      if (!known) return await sendFinal(stream, services, job);
      while (!ended) {
        const entry = queue.shift();
        if (entry === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        await stream.writeSSE({ id: String(entry.seq), event: entry.event.type, data: JSON.stringify(entry.event) });
        if (entry.event.type === 'job.completed' || entry.event.type === 'job.failed' || entry.event.type === 'job.cancelled') {
          await sendFinal(stream, services, await services.shenbi.store.jobs.get(job.id));
          return;
        }
      }
    } finally {
      clearInterval(keepalive);
      unsubscribe();
    }
  });
}

function isTerminal(status: JobRecord['status']): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

async function waitOrAbort(services: ServerServices, jobId: string, stream: SSEStreamingApi): Promise<JobRecord | undefined> {
  const aborted = new Promise<undefined>((resolve) => stream.onAbort(() => resolve(undefined)));
  return Promise.race([services.shenbi.runner.wait(jobId), aborted]);
}

async function sendFinal(stream: SSEStreamingApi, services: ServerServices, job: JobRecord): Promise<void> {
  if (job.status === 'completed') {
    await stream.writeSSE({ event: 'result', data: JSON.stringify(await jobView(services, job)) });
    return;
  }
  const error =
    job.status === 'cancelled'
      ? new ShenbiError('JOB_CANCELLED', `Job ${job.id} was cancelled.`)
      : toShenbiError(new ShenbiError(job.error?.code ?? 'JOB_FAILED', job.error?.message ?? `Job ${job.id} failed.`, { ...(job.error?.hint ? { hint: job.error.hint } : {}), details: { jobId: job.id } }));
  await stream.writeSSE({ event: 'error', data: JSON.stringify(errorBody(error)) });
}
