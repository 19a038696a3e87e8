import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { downloadAudio, providerJson, sameOrigin } from './http.ts';
import { firstUrl } from './replicate-music.ts';
import { pollUntil } from './poll.ts';
import type { AdapterContext, CloudMusicRequest, CloudMusicResult } from './types.ts';

/**
 * The fal queue: `POST https://queue.fal.run/{model}` with `Authorization: Key …` answers
 * `request_id`, `status_url` and `response_url`; the status is polled until `COMPLETED`,
 * then the result JSON names the audio file (`audio.url`, or `audio_file.url` for Stable
 * Audio), which is downloaded.
 */

const submitSchema = z.object({ request_id: z.string(), status_url: z.string().optional(), response_url: z.string().optional() });
const statusSchema = z.object({ status: z.string(), error: z.unknown().optional() });

export function falInput(request: CloudMusicRequest, modelId: string): Record<string, unknown> {
  const seed = request.seed === undefined ? {} : { seed: request.seed };
  if (/ace-step/i.test(modelId)) {
    return { tags: request.prompt, lyrics: request.instrumental || !request.lyrics ? '[inst]' : request.lyrics, duration: Math.round(request.durationSec), ...seed };
  }
  // Stable Audio takes whole seconds, 1–47 (a 0.3 s effect asks for 1 s and is cut by the caller).
  if (/stable-audio/i.test(modelId)) return { prompt: request.prompt, seconds_total: Math.min(47, Math.max(1, Math.round(request.durationSec))), ...seed };
  return { prompt: request.prompt, duration: Math.round(request.durationSec), ...seed };
}

export async function falMusic(request: CloudMusicRequest, ctx: AdapterContext): Promise<CloudMusicResult> {
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(ctx.modelId)) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: a fal model is an app id such as fal-ai/ace-step`);
  const submitUrl = `${ctx.baseURL}/${ctx.modelId}`;
  const submitted = submitSchema.safeParse(
    await providerJson(submitUrl, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body: JSON.stringify(falInput(request, ctx.modelId)) }, ctx),
  );
  if (!submitted.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the queue gave no request id`);
  const { request_id: id } = submitted.data;
  const statusUrl = submitted.data.status_url ?? `${submitUrl}/requests/${id}/status`;
  const responseUrl = submitted.data.response_url ?? `${submitUrl}/requests/${id}`;
  // Credentials go only to the queue's own origin.
  const auth = (url: string) => (sameOrigin(url, submitUrl) ? ctx.headers : {});
  await pollUntil(async () => {
    const parsed = statusSchema.safeParse(await providerJson(statusUrl, { method: 'GET', headers: auth(statusUrl) }, ctx));
    if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected queue status answer`);
    const { status, error } = parsed.data;
    if (status === 'COMPLETED') return true;
    if (status === 'IN_QUEUE' || status === 'IN_PROGRESS') return undefined;
    throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: request ${id} ${status}${typeof error === 'string' ? `: ${error}` : ''}`, { details: { request: id } });
  }, ctx, `request ${id}`);
  const result = await providerJson(responseUrl, { method: 'GET', headers: auth(responseUrl) }, ctx);
  const audioUrl = firstUrl(result);
  if (!audioUrl) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: request ${id} completed without an audio URL`);
  const audio = await downloadAudio(audioUrl, submitUrl, ctx.headers, ctx);
  return { ...audio, requestId: id };
}
