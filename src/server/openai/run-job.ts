import type { Context } from 'hono';
import { fromSerializedError, ShenbiError } from '../../core/errors.ts';
import type { PipelineSpecInput } from '../../core/pipeline.ts';
import type { JobRecord } from '../../store/types.ts';
import type { ServerEnv, ServerServices } from '../context.ts';

/**
 * Runs a job for an OpenAI-style route and waits for it: the output goes through the same
 * runner, store and governance as any job (so it is labeled), and belongs to the caller's
 * tenant. The client hanging up cancels it. A failed job throws its own error.
 */
export async function runOwnedJob(c: Context<ServerEnv>, services: ServerServices, spec: PipelineSpecInput): Promise<JobRecord> {
  const job = await services.quotas.submitJob(c.get('principal'), spec, {});
  const signal = c.req.raw.signal;
  const onAbort = () => void services.shenbi.runner.cancel(job.id).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  let done: JobRecord;
  try {
    done = await services.shenbi.runner.wait(job.id);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  c.header('X-Shenbi-Job-Id', job.id);
  if (done.status === 'completed') return done;
  if (done.status === 'cancelled') throw new ShenbiError('JOB_CANCELLED', `Job ${job.id} was cancelled.`, { details: { jobId: job.id } });
  const error = done.error ?? { code: 'JOB_FAILED' as const, message: `Job ${job.id} failed.` };
  throw fromSerializedError({ ...error, details: { ...error.details, jobId: job.id } });
}

/** The artifact id a job output names. */
export function outputArtifact(job: JobRecord, name: string): string {
  const value = job.outputs?.[name];
  const id = Array.isArray(value) ? value[0] : value;
  if (typeof id !== 'string') throw new ShenbiError('INTERNAL', `Job ${job.id} has no "${name}" output.`);
  return id;
}
