import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson } from '../cloud-music/http.ts';
import { imageExtension } from './image-data.ts';
import { generationFailed, pollUntil } from './poll.ts';
import type { Cloud3dContext, Cloud3dRequest, ModelLocation } from './types.ts';

/**
 * Hyper3D Rodin (`Authorization: Bearer …`, base https://hyperhuman.deemos.com).
 * `POST /api/v2/rodin` (multipart: `prompt` and/or `images`, `seed`, `geometry_file_format`,
 * `tier`) answers `uuid` and `jobs.subscription_key`; `POST /api/v2/status
 * {subscription_key}` lists the jobs (`Waiting`, `Generating`, `Done`, `Failed`) and is polled
 * until all are done; `POST /api/v2/download {task_uuid}` lists the files, the GLB among them.
 *
 * The model id is Rodin's `tier` (`Gen-2`, `Regular`, `Detail`, `Smooth`, `Sketch`).
 */

const errorField = z.string().nullish();
const submittedSchema = z.object({ uuid: z.string().min(1), jobs: z.object({ subscription_key: z.string().min(1), uuids: z.array(z.string()).optional() }).passthrough(), error: errorField, message: z.string().nullish() }).passthrough();
const statusSchema = z.object({ jobs: z.array(z.object({ uuid: z.string(), status: z.string() }).passthrough()), error: errorField }).passthrough();
const downloadSchema = z.object({ list: z.array(z.object({ url: z.string(), name: z.string() }).passthrough()), error: errorField }).passthrough();

function parse<T extends z.ZodTypeAny>(schema: T, answer: unknown, ctx: Cloud3dContext, what: string): z.infer<T> {
  const reported = (answer as { error?: unknown } | null)?.error;
  if (typeof reported === 'string' && reported !== '') throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: Rodin refused the ${what}: ${reported}`);
  const parsed = schema.safeParse(answer);
  if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected Rodin ${what} answer: ${JSON.stringify(answer).slice(0, 300)}`);
  return parsed.data;
}

export async function rodinModel(request: Cloud3dRequest, ctx: Cloud3dContext): Promise<ModelLocation> {
  if (!request.prompt && !request.image) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: give a prompt or an image`);
  const form = new FormData();
  if (request.image) form.append('images', new Blob([Buffer.from(request.image.bytes)], { type: request.image.mediaType }), `image.${imageExtension(request.image)}`);
  if (request.prompt) form.append('prompt', request.prompt);
  if (request.seed !== undefined) form.append('seed', String(request.seed % 65536)); // Rodin seeds are 0–65535
  form.append('geometry_file_format', 'glb');
  form.append('tier', ctx.modelId);
  const submitted = parse(submittedSchema, await providerJson(`${ctx.baseURL}/api/v2/rodin`, { method: 'POST', headers: ctx.headers, body: form }, ctx), ctx, 'generation');
  const json = { ...ctx.headers, 'content-type': 'application/json' };
  const { uuid } = submitted;
  await pollUntil(async () => {
    const status = parse(statusSchema, await providerJson(`${ctx.baseURL}/api/v2/status`, { method: 'POST', headers: json, body: JSON.stringify({ subscription_key: submitted.jobs.subscription_key }) }, ctx), ctx, 'status');
    const failed = status.jobs.find((job) => job.status === 'Failed' || job.status === 'Canceled');
    if (failed) throw generationFailed(ctx, uuid, failed.status, `job ${failed.uuid}`);
    return status.jobs.length > 0 && status.jobs.every((job) => job.status === 'Done') ? true : undefined;
  }, ctx, `task ${uuid}`);
  const files = parse(downloadSchema, await providerJson(`${ctx.baseURL}/api/v2/download`, { method: 'POST', headers: json, body: JSON.stringify({ task_uuid: uuid }) }, ctx), ctx, 'download');
  const glb = files.list.find((file) => /\.glb$/i.test(file.name)) ?? files.list.find((file) => /\.gltf$/i.test(file.name));
  if (!glb) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: task ${uuid} finished without a GLB (files: ${files.list.map((f) => f.name).join(', ').slice(0, 200)})`);
  return { url: glb.url, requestId: uuid };
}
