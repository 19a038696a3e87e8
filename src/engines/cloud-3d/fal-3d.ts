import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson, sameOrigin } from '../cloud-music/http.ts';
import { dataUri } from './image-data.ts';
import { findModelUrl } from './model-url.ts';
import { generationFailed, pollUntil } from './poll.ts';
import type { Cloud3dContext, Cloud3dRequest, ModelLocation } from './types.ts';
import { openWebhook } from './webhook.ts';

/**
 * The fal queue (`Authorization: Key …`): `POST https://queue.fal.run/{model}` answers
 * `request_id`, `status_url` and `response_url`; the status is polled until `COMPLETED`
 * (or, when this process receives webhooks, `?fal_webhook=` delivers `{status, payload}`),
 * then the result names the mesh: `model_mesh.url` for TRELLIS and Hunyuan3D.
 * TRELLIS takes `image_url`, Hunyuan3D v2 `input_image_url`; both are image-to-3D only.
 */

const submitSchema = z.object({ request_id: z.string().min(1), status_url: z.string().optional(), response_url: z.string().optional() });
const statusSchema = z.object({ status: z.string(), error: z.unknown().optional() });
const webhookSchema = z.object({ status: z.string(), payload: z.unknown().optional(), error: z.unknown().optional() });

const IMAGE_ONLY = /(^|\/)(trellis|hunyuan3d)/i;

export function falInput(request: Cloud3dRequest, modelId: string): Record<string, unknown> {
  const seed = request.seed === undefined ? {} : { seed: request.seed };
  const image = request.image === undefined ? undefined : dataUri(request.image);
  if (/hunyuan3d/i.test(modelId)) return { input_image_url: image, textured_mesh: true, ...seed };
  if (/trellis/i.test(modelId)) return { image_url: image, ...seed };
  return { ...(request.prompt ? { prompt: request.prompt } : {}), ...(image ? { image_url: image } : {}), ...seed };
}

export async function falModel(request: Cloud3dRequest, ctx: Cloud3dContext): Promise<ModelLocation> {
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(ctx.modelId)) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: a fal model is an app id such as fal-ai/trellis`);
  if (IMAGE_ONLY.test(ctx.modelId) && !request.image) throw new ShenbiError('INVALID_INPUT', `${ctx.spec} makes 3D from a picture: give an image`);
  if (!request.prompt && !request.image) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: give a prompt or an image`);
  const submitUrl = `${ctx.baseURL}/${ctx.modelId}`;
  const webhook = await openWebhook('fal', ctx);
  try {
    const url = webhook ? `${submitUrl}?fal_webhook=${encodeURIComponent(webhook.url)}` : submitUrl;
    const answer = await providerJson(url, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body: JSON.stringify(falInput(request, ctx.modelId)) }, ctx);
    const submitted = submitSchema.safeParse(answer);
    if (!submitted.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the queue gave no request id`);
    const id = submitted.data.request_id;
    const statusUrl = submitted.data.status_url ?? `${submitUrl}/requests/${id}/status`;
    const responseUrl = submitted.data.response_url ?? `${submitUrl}/requests/${id}`;
    // Credentials go only to the queue's own origin.
    const auth = (u: string) => (sameOrigin(u, submitUrl) ? ctx.headers : {});
    let result: unknown;
    const delivered = webhook ? await webhook.wait(ctx.webhookWaitMs, ctx.signal) : undefined;
    if (delivered !== undefined) {
      const hook = webhookSchema.safeParse(delivered);
      if (!hook.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected webhook for request ${id}`);
      if (hook.data.status !== 'OK') throw generationFailed(ctx, id, hook.data.status, typeof hook.data.error === 'string' ? hook.data.error : JSON.stringify(hook.data.payload ?? '').slice(0, 300));
      result = hook.data.payload;
    } else {
      await pollUntil(async () => {
        const parsed = statusSchema.safeParse(await providerJson(statusUrl, { method: 'GET', headers: auth(statusUrl) }, ctx));
        if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected queue status answer`);
        const { status, error } = parsed.data;
        if (status === 'COMPLETED' && error === undefined) return true;
        if (status === 'IN_QUEUE' || status === 'IN_PROGRESS') return undefined;
        throw generationFailed(ctx, id, status, typeof error === 'string' ? error : undefined);
      }, ctx, `request ${id}`);
      result = await providerJson(responseUrl, { method: 'GET', headers: auth(responseUrl) }, ctx);
    }
    const modelUrl = findModelUrl(result);
    if (!modelUrl) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: request ${id} completed without a model URL`);
    return { url: modelUrl, requestId: id };
  } finally {
    webhook?.close();
  }
}
