import { sleep } from '../../core/backoff.ts';
import { ShenbiError } from '../../core/errors.ts';
import { motionRequest, parseJsonAnswer } from './http.ts';
import { motionJobSchema, submitAnswerSchema, type MotionJob, type MotionSubmitBody } from './protocol.ts';
import { resultClip } from './result.ts';
import type { CloudMotionContext, CloudMotionRequest, CloudMotionResult } from './types.ts';

/** Polls slow down to this many times the first interval when the server gives no Retry-After. */
const MAX_BACKOFF_FACTOR = 4;

function parseJob(value: unknown, ctx: CloudMotionContext, what: string): MotionJob {
  const parsed = motionJobSchema.safeParse(value);
  if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected ${what}: ${JSON.stringify(value).slice(0, 300)}`);
  return parsed.data;
}

function failed(ctx: CloudMotionContext, id: string, reason: string | undefined): ShenbiError {
  const words = reason?.trim() ? `: ${reason.trim().slice(0, 500)}` : '';
  return new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: motion job ${id} failed${words}`, { details: { request: id, status: 'failed' } });
}

/**
 * The documented protocol (docs/motion-protocol.md): submit, then poll the job until it
 * succeeds or fails, waiting what the server's Retry-After says or else `pollMs` growing 1.5×
 * to 4×; ENGINE_TIMEOUT after `timeoutMs`. A 200 answer with the finished job skips polling.
 */
export async function motionHttpGenerate(request: CloudMotionRequest, ctx: CloudMotionContext): Promise<CloudMotionResult> {
  const body: MotionSubmitBody = {
    model: ctx.modelId,
    prompt: request.prompt,
    fps: request.fps,
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.duration === undefined ? {} : { duration: request.duration }),
  };
  const submitted = await motionRequest(`${ctx.baseURL}/v1/motion`, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }, ctx, 'the submit answer');
  const first = submitAnswerSchema.safeParse(parseJsonAnswer(submitted, ctx, 'the submit answer'));
  if (!first.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the submit answer has neither a job id nor a finished job`);
  let job: MotionJob = 'status' in first.data ? first.data : { id: first.data.id, status: 'queued' };
  const id = job.id ?? 'sync';
  if (job.status !== 'succeeded' && job.status !== 'failed' && job.id === undefined) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the job is ${job.status} but has no id to poll`);

  const started = Date.now();
  let interval = ctx.pollMs;
  let hint = submitted.retryAfterMs;
  while (job.status === 'queued' || job.status === 'running') {
    if (Date.now() - started > ctx.timeoutMs) throw new ShenbiError('ENGINE_TIMEOUT', `${ctx.spec}: motion job ${id} not ready after ${Math.round(ctx.timeoutMs / 1000)} s`);
    await sleep(hint ?? interval, ctx.signal);
    if (hint === undefined) interval = Math.min(ctx.pollMs * MAX_BACKOFF_FACTOR, Math.round(interval * 1.5));
    const answer = await motionRequest(`${ctx.baseURL}/v1/motion/${encodeURIComponent(id)}`, { method: 'GET', headers: ctx.headers }, ctx, 'the job status');
    job = parseJob(parseJsonAnswer(answer, ctx, 'the job status'), ctx, 'job status');
    hint = answer.retryAfterMs;
  }
  if (job.status === 'failed') throw failed(ctx, id, job.error);
  return resultClip(job.result, id, ctx);
}
