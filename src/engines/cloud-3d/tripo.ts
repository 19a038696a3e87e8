import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson } from '../cloud-music/http.ts';
import { imageExtension } from './image-data.ts';
import { generationFailed, pollUntil } from './poll.ts';
import type { Cloud3dContext, Cloud3dRequest, ModelLocation } from './types.ts';

/**
 * Tripo (`Authorization: Bearer tsk_…`, base https://api.tripo3d.ai). Every answer is
 * `{code, data}` with code 0 on success. `POST /v2/openapi/task {type: "text_to_model", prompt}`
 * or `{type: "image_to_model", file: {type, file_token}}` after `POST /v2/openapi/upload`
 * (multipart `file`, answering `data.image_token`) answers `data.task_id`; `GET
 * /v2/openapi/task/{id}` is polled until `success`, and the model is `output.pbr_model` or
 * `output.model` (a URL, or `{type, url}` in older answers).
 *
 * The model id is Tripo's `model_version` (`default` leaves it to Tripo).
 */

const envelope = <T extends z.ZodTypeAny>(data: T) => z.object({ code: z.number(), data, message: z.string().optional() });
const taskCreated = envelope(z.object({ task_id: z.string().min(1) }));
const uploaded = envelope(z.object({ image_token: z.string().min(1) }));
const fileRef = z.union([z.string(), z.object({ url: z.string(), type: z.string().optional() }).passthrough()]);
const taskAnswer = envelope(
  z.object({
    task_id: z.string(),
    status: z.string(),
    progress: z.number().optional(),
    output: z.object({ model: fileRef.optional(), pbr_model: fileRef.optional(), base_model: fileRef.optional(), rendered_image: fileRef.optional() }).passthrough().nullish(),
  }).passthrough(),
);

const RUNNING = new Set(['queued', 'running']);

function parseAnswer<T extends z.ZodTypeAny>(schema: T, answer: unknown, ctx: Cloud3dContext, what: string): z.infer<T> {
  const parsed = schema.safeParse(answer);
  if (!parsed.success || (parsed.data as { code: number }).code !== 0) {
    const message = (answer as { message?: unknown } | null)?.message;
    throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: Tripo refused the ${what}${typeof message === 'string' ? `: ${message}` : `: ${JSON.stringify(answer).slice(0, 300)}`}`);
  }
  return parsed.data;
}

const urlOf = (ref: z.infer<typeof fileRef> | undefined) => (ref === undefined ? undefined : typeof ref === 'string' ? ref : ref.url);

export async function tripoModel(request: Cloud3dRequest, ctx: Cloud3dContext): Promise<ModelLocation> {
  const version = ctx.modelId === 'default' ? {} : { model_version: ctx.modelId };
  const seed = request.seed === undefined ? {} : { model_seed: request.seed };
  let body: Record<string, unknown>;
  if (request.image) {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(request.image.bytes)], { type: request.image.mediaType }), `image.${imageExtension(request.image)}`);
    const upload = parseAnswer(uploaded, await providerJson(`${ctx.baseURL}/v2/openapi/upload`, { method: 'POST', headers: ctx.headers, body: form }, ctx), ctx, 'image upload');
    body = { type: 'image_to_model', file: { type: imageExtension(request.image), file_token: upload.data.image_token }, ...version, ...seed };
  } else {
    if (!request.prompt) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: give a prompt or an image`);
    // Tripo takes at most 1024 characters of prompt.
    body = { type: 'text_to_model', prompt: request.prompt.slice(0, 1024), ...version, ...seed };
  }
  const created = parseAnswer(taskCreated, await providerJson(`${ctx.baseURL}/v2/openapi/task`, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }, ctx), ctx, 'task');
  const id = created.data.task_id;
  const task = await pollUntil(async () => {
    const answer = parseAnswer(taskAnswer, await providerJson(`${ctx.baseURL}/v2/openapi/task/${encodeURIComponent(id)}`, { method: 'GET', headers: ctx.headers }, ctx), ctx, 'status query');
    return RUNNING.has(answer.data.status) ? undefined : answer.data;
  }, ctx, `task ${id}`);
  if (task.status !== 'success') throw generationFailed(ctx, id, task.status, (task as { error?: unknown }).error);
  const url = urlOf(task.output?.pbr_model) ?? urlOf(task.output?.model) ?? urlOf(task.output?.base_model);
  if (!url) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: task ${id} succeeded without a model URL`);
  return { url, requestId: id };
}
