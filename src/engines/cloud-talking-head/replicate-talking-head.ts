import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson, sameOrigin } from '../cloud-music/http.ts';
import { generationFailed, pollUntil } from '../cloud-3d/poll.ts';
import { dataUri } from './inputs.ts';
import { cancelAtProvider, reportPoll, stoppedWaiting } from './job-control.ts';
import type { TalkingHeadContext, TalkingHeadInputs, VideoLocation } from './types.ts';

/**
 * Replicate predictions (`Authorization: Bearer r8_…`): `POST /v1/predictions {version, input}`
 * for `owner/name:version` (community models such as cjwbw/sadtalker run only by version), or
 * `POST /v1/models/{owner}/{name}/predictions {input}` for official models; then `urls.get` is
 * polled until `succeeded`, `failed` or `canceled`, and the output is the video's URL (or a list).
 * Input names per known model: SadTalker `source_image` + `driven_audio`; Wav2Lip `face` +
 * `audio`; others `image` + `audio`. The caller's own input is merged over them.
 */

const predictionSchema = z.object({
  id: z.string(),
  status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  urls: z.object({ get: z.string(), cancel: z.string() }).partial().optional(),
});
type Prediction = z.infer<typeof predictionSchema>;
const running = (p: Prediction) => p.status === 'starting' || p.status === 'processing';

export function replicateTalkingHeadInput(inputs: TalkingHeadInputs, model: string, extra: Record<string, unknown>): Record<string, unknown> {
  const image = dataUri(inputs.portrait);
  const audio = dataUri(inputs.audio);
  // SadTalker: the whole picture with the head still, as for fal.
  if (/sadtalker/i.test(model)) return { source_image: image, driven_audio: audio, preprocess: 'full', still: true, ...extra };
  if (/wav2lip/i.test(model)) return { face: image, audio, ...extra };
  return { image, audio, ...extra };
}

/** The video in a prediction's output: a URL, a list of URLs, or an object holding them (an .mp4 first). */
export function findVideoUrl(output: unknown): string | undefined {
  const found: string[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 4) return;
    if (typeof value === 'string' && /^https?:\/\//i.test(value)) found.push(value);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, depth + 1));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => walk(v, depth + 1));
  };
  walk(output, 0);
  return found.find((u) => /\.mp4(\?|#|$)/i.test(u)) ?? found[0];
}

function parsePrediction(value: unknown, ctx: TalkingHeadContext): Prediction {
  const parsed = predictionSchema.safeParse(value);
  if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected prediction answer: ${JSON.stringify(value).slice(0, 300)}`);
  return parsed.data;
}

export async function replicateTalkingHead(inputs: TalkingHeadInputs, ctx: TalkingHeadContext): Promise<VideoLocation> {
  const [model, version] = ctx.modelId.split(':');
  if (!model || !/^[\w.-]+\/[\w.-]+$/.test(model)) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: a Replicate model is owner/name or owner/name:version`);
  const url = version ? `${ctx.baseURL}/predictions` : `${ctx.baseURL}/models/${model}/predictions`;
  const body = JSON.stringify({ input: replicateTalkingHeadInput(inputs, model, ctx.input), ...(version ? { version } : {}) });
  ctx.progress(0.05, `submitting to ${ctx.spec}`);
  let prediction = parsePrediction(await providerJson(url, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body }, ctx), ctx);
  const pollUrl = prediction.urls?.get ?? `${ctx.baseURL}/predictions/${prediction.id}`;
  const cancelUrl = prediction.urls?.cancel ?? `${ctx.baseURL}/predictions/${prediction.id}/cancel`;
  const auth = (u: string) => (sameOrigin(u, ctx.baseURL) ? ctx.headers : {});
  let polls = 0;
  try {
    prediction = await pollUntil(async () => {
      if (!running(prediction)) return prediction;
      prediction = parsePrediction(await providerJson(pollUrl, { method: 'GET', headers: auth(pollUrl) }, ctx), ctx);
      polls++;
      if (!running(prediction)) return prediction;
      reportPoll(ctx, polls, prediction.status === 'processing', prediction.status);
      return undefined;
    }, ctx, `prediction ${prediction.id}`);
  } catch (error) {
    if (stoppedWaiting(error, ctx)) await cancelAtProvider(cancelUrl, 'POST', auth(cancelUrl));
    throw error;
  }
  if (prediction.status !== 'succeeded') {
    const reason = typeof prediction.error === 'string' ? prediction.error : prediction.error == null ? undefined : JSON.stringify(prediction.error);
    throw generationFailed(ctx, prediction.id, prediction.status, reason);
  }
  const videoUrl = findVideoUrl(prediction.output);
  if (!videoUrl) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: prediction ${prediction.id} succeeded without a video URL`, { details: { request: prediction.id } });
  return { url: videoUrl, requestId: prediction.id };
}
