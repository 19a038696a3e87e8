import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson, sameOrigin } from '../cloud-music/http.ts';
import { dataUri } from './image-data.ts';
import { findModelUrl } from './model-url.ts';
import { generationFailed, pollUntil } from './poll.ts';
import type { Cloud3dContext, Cloud3dRequest, ModelLocation } from './types.ts';
import { openWebhook } from './webhook.ts';

/**
 * Replicate predictions (`Authorization: Bearer r8_…`): `POST /v1/models/{owner}/{name}/predictions`
 * (or `/v1/predictions` with `version` for `owner/name:version`), then the prediction's
 * `urls.get` is polled until it succeeds, fails or is canceled (or, when this process receives
 * webhooks, the signed `completed` webhook brings it). TRELLIS (`firtoz/trellis`) takes
 * `images` and answers `model_file`; other models get `prompt` and/or `image`.
 */

const predictionSchema = z.object({
  id: z.string(),
  status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  urls: z.object({ get: z.string() }).partial().optional(),
});
type Prediction = z.infer<typeof predictionSchema>;
const running = (p: Prediction) => p.status === 'starting' || p.status === 'processing';

export function replicateInput(request: Cloud3dRequest, model: string): Record<string, unknown> {
  const seed = request.seed === undefined ? {} : { seed: request.seed };
  const image = request.image === undefined ? undefined : dataUri(request.image);
  if (/trellis/i.test(model)) return { images: image ? [image] : [], generate_model: true, save_gaussian_ply: false, ...seed };
  return { ...(request.prompt ? { prompt: request.prompt } : {}), ...(image ? { image } : {}), ...seed };
}

function parsePrediction(value: unknown, ctx: Cloud3dContext): Prediction {
  const parsed = predictionSchema.safeParse(value);
  if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected prediction answer: ${JSON.stringify(value).slice(0, 300)}`);
  return parsed.data;
}

export async function replicateModel(request: Cloud3dRequest, ctx: Cloud3dContext): Promise<ModelLocation> {
  const [model, version] = ctx.modelId.split(':');
  if (!model || !/^[\w.-]+\/[\w.-]+$/.test(model)) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: a Replicate model is owner/name or owner/name:version`);
  if (/trellis/i.test(model) && !request.image) throw new ShenbiError('INVALID_INPUT', `${ctx.spec} makes 3D from a picture: give an image`);
  if (!request.prompt && !request.image) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: give a prompt or an image`);
  const url = version ? `${ctx.baseURL}/predictions` : `${ctx.baseURL}/models/${model}/predictions`;
  const webhook = await openWebhook('replicate', ctx);
  try {
    const body = { input: replicateInput(request, model), ...(version ? { version } : {}), ...(webhook ? { webhook: webhook.url, webhook_events_filter: ['completed'] } : {}) };
    let prediction = parsePrediction(await providerJson(url, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }, ctx), ctx);
    const pollUrl = prediction.urls?.get ?? `${ctx.baseURL}/predictions/${prediction.id}`;
    if (running(prediction) && webhook) {
      const delivered = await webhook.wait(ctx.webhookWaitMs, ctx.signal);
      if (delivered !== undefined) prediction = parsePrediction(delivered, ctx);
    }
    prediction = await pollUntil(async () => {
      if (!running(prediction)) return prediction;
      prediction = parsePrediction(await providerJson(pollUrl, { method: 'GET', headers: sameOrigin(pollUrl, ctx.baseURL) ? ctx.headers : {} }, ctx), ctx);
      return running(prediction) ? undefined : prediction;
    }, ctx, `prediction ${prediction.id}`);
    if (prediction.status !== 'succeeded') throw generationFailed(ctx, prediction.id, prediction.status, prediction.error);
    const modelUrl = findModelUrl(prediction.output);
    if (!modelUrl) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: prediction ${prediction.id} succeeded without a model URL`);
    return { url: modelUrl, requestId: prediction.id };
  } finally {
    webhook?.close();
  }
}
