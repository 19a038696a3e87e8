import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { downloadAudio, providerJson, sameOrigin } from './http.ts';
import { pollUntil } from './poll.ts';
import type { AdapterContext, CloudMusicRequest, CloudMusicResult } from './types.ts';

/**
 * Replicate predictions: `POST /v1/models/{owner}/{name}/predictions` (or `/v1/predictions`
 * with `version` for `owner/name:version`), `Authorization: Bearer`, then the prediction's
 * `urls.get` is polled until it succeeds, fails or is cancelled; the output is a file URL.
 * Input fields follow the model: MusicGen takes `prompt` and `duration`; ACE-Step takes
 * `tags` and `lyrics`.
 */

const predictionSchema = z.object({
  id: z.string(),
  status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled', 'aborted']),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  urls: z.object({ get: z.string() }).partial().optional(),
});
type Prediction = z.infer<typeof predictionSchema>;

export function replicateInput(request: CloudMusicRequest, modelId: string): Record<string, unknown> {
  const seed = request.seed === undefined ? {} : { seed: request.seed };
  if (/ace-step/i.test(modelId)) {
    return { tags: request.prompt, lyrics: request.instrumental || !request.lyrics ? '[instrumental]' : request.lyrics, duration: Math.round(request.durationSec), ...seed };
  }
  // MusicGen and similar prompt-to-music models.
  return { prompt: request.prompt, duration: Math.round(request.durationSec), output_format: 'mp3', ...seed };
}

/** The first file URL in a prediction's output (a string, a list, or an object of them). */
export function firstUrl(output: unknown): string | undefined {
  if (typeof output === 'string') return /^https?:\/\//.test(output) ? output : undefined;
  if (Array.isArray(output)) return output.map(firstUrl).find((u) => u !== undefined);
  if (output && typeof output === 'object') {
    const o = output as Record<string, unknown>;
    return firstUrl(o.url) ?? firstUrl(o.audio) ?? firstUrl(o.audio_file) ?? Object.values(o).map(firstUrl).find((u) => u !== undefined);
  }
  return undefined;
}

function parsePrediction(value: unknown, ctx: AdapterContext): Prediction {
  const parsed = predictionSchema.safeParse(value);
  if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected prediction answer: ${JSON.stringify(value).slice(0, 300)}`);
  return parsed.data;
}

export async function replicateMusic(request: CloudMusicRequest, ctx: AdapterContext): Promise<CloudMusicResult> {
  const [model, version] = ctx.modelId.split(':');
  if (!model || !/^[\w.-]+\/[\w.-]+$/.test(model)) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: a Replicate model is owner/name or owner/name:version`);
  const url = version ? `${ctx.baseURL}/predictions` : `${ctx.baseURL}/models/${model}/predictions`;
  const body = { input: replicateInput(request, model), ...(version ? { version } : {}) };
  // `Prefer: wait` lets a quick model answer in the first response; slower ones are polled.
  const headers = { ...ctx.headers, 'content-type': 'application/json', prefer: 'wait=5' };
  let prediction = parsePrediction(await providerJson(url, { method: 'POST', headers, body: JSON.stringify(body) }, ctx), ctx);
  const pollUrl = prediction.urls?.get ?? `${ctx.baseURL}/predictions/${prediction.id}`;
  prediction = await pollUntil(async () => {
    if (prediction.status !== 'starting' && prediction.status !== 'processing') return prediction;
    const auth = sameOrigin(pollUrl, ctx.baseURL) ? ctx.headers : {};
    prediction = parsePrediction(await providerJson(pollUrl, { method: 'GET', headers: auth }, ctx), ctx);
    return prediction.status === 'starting' || prediction.status === 'processing' ? undefined : prediction;
  }, ctx, `prediction ${prediction.id}`);
  if (prediction.status !== 'succeeded') {
    const reason = typeof prediction.error === 'string' ? prediction.error : prediction.status;
    throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: prediction ${prediction.id} ${prediction.status}: ${reason}`, { details: { prediction: prediction.id } });
  }
  const audioUrl = firstUrl(prediction.output);
  if (!audioUrl) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: prediction ${prediction.id} succeeded without an audio URL`);
  const audio = await downloadAudio(audioUrl, ctx.baseURL, ctx.headers, ctx);
  return { ...audio, requestId: prediction.id };
}
