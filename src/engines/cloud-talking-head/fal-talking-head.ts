import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson, sameOrigin } from '../cloud-music/http.ts';
import { generationFailed, pollUntil } from '../cloud-3d/poll.ts';
import { dataUri } from './inputs.ts';
import { cancelAtProvider, reportPoll, stoppedWaiting } from './job-control.ts';
import { stillVideo } from './still-video.ts';
import type { TalkingHeadContext, TalkingHeadInputs, VideoLocation } from './types.ts';

/**
 * The fal queue (`Authorization: Key …`): `POST {queue}/{model}` with the model's input answers
 * `request_id`, `status_url`, `response_url` (and `cancel_url`); the status is polled until
 * `COMPLETED` (with `queue_position` while `IN_QUEUE`), then the response holds `video.url`.
 * Inputs go inline as data: URIs, which fal accepts for any file field.
 *
 * SadTalker takes the picture (`source_image_url`, `driven_audio_url`); lip-sync models re-time
 * a video's mouth, so they get the portrait as a still video the audio's length (MuseTalk:
 * `source_video_url`; LatentSync and sync.: `video_url`; all with `audio_url`). Other models get
 * `image_url` + `audio_url`, the names fal's image-to-avatar models use.
 */

const submitSchema = z.object({ request_id: z.string().min(1), status_url: z.string().optional(), response_url: z.string().optional(), cancel_url: z.string().optional() });
const statusSchema = z.object({ status: z.string(), queue_position: z.number().optional(), error: z.unknown().optional() });
const resultSchema = z.object({ video: z.union([z.object({ url: z.string().min(1) }).passthrough(), z.string().min(1)]) }).passthrough();

const MUSETALK = /(^|\/)musetalk/i;
const VIDEO_LIPSYNC = /(^|\/)(latentsync|sync-lipsync)/i;

export async function falTalkingHeadInput(inputs: TalkingHeadInputs, ctx: TalkingHeadContext): Promise<Record<string, unknown>> {
  const audio = dataUri(inputs.audio);
  if (/(^|\/)sadtalker/i.test(ctx.modelId)) {
    // The whole picture, head still: SadTalker's own advice for portraits ('crop' returns only the face).
    return { source_image_url: dataUri(inputs.portrait), driven_audio_url: audio, preprocess: 'full', still_mode: true, ...ctx.input };
  }
  if (MUSETALK.test(ctx.modelId)) return { source_video_url: dataUri(await stillVideo(inputs, ctx)), audio_url: audio, ...ctx.input };
  if (VIDEO_LIPSYNC.test(ctx.modelId)) return { video_url: dataUri(await stillVideo(inputs, ctx)), audio_url: audio, ...ctx.input };
  return { image_url: dataUri(inputs.portrait), audio_url: audio, ...ctx.input };
}

export async function falTalkingHead(inputs: TalkingHeadInputs, ctx: TalkingHeadContext): Promise<VideoLocation> {
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(ctx.modelId)) throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: a fal model is an app id such as fal-ai/sadtalker`);
  const submitUrl = `${ctx.baseURL}/${ctx.modelId}`;
  const body = JSON.stringify(await falTalkingHeadInput(inputs, ctx));
  ctx.progress(0.05, `submitting to ${ctx.spec}`);
  const submitted = submitSchema.safeParse(await providerJson(submitUrl, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body }, ctx));
  if (!submitted.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the queue gave no request id`);
  const id = submitted.data.request_id;
  const statusUrl = submitted.data.status_url ?? `${submitUrl}/requests/${id}/status`;
  const responseUrl = submitted.data.response_url ?? `${submitUrl}/requests/${id}`;
  const cancelUrl = submitted.data.cancel_url ?? `${submitUrl}/requests/${id}/cancel`;
  // Credentials go only to the queue's own origin.
  const auth = (url: string) => (sameOrigin(url, submitUrl) ? ctx.headers : {});
  let polls = 0;
  try {
    await pollUntil(async () => {
      const parsed = statusSchema.safeParse(await providerJson(statusUrl, { method: 'GET', headers: auth(statusUrl) }, ctx));
      if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected queue status answer for request ${id}`);
      const { status, error, queue_position: position } = parsed.data;
      polls++;
      if (status === 'COMPLETED' && (error === undefined || error === null)) return true;
      if (status === 'IN_QUEUE' || status === 'IN_PROGRESS') {
        reportPoll(ctx, polls, status === 'IN_PROGRESS', status === 'IN_PROGRESS' ? 'rendering' : position === undefined ? 'queued' : `queued at position ${position}`);
        return undefined;
      }
      throw generationFailed(ctx, id, status === 'COMPLETED' ? 'failed' : status, typeof error === 'string' ? error : error === undefined ? undefined : JSON.stringify(error));
    }, ctx, `request ${id}`);
  } catch (error) {
    if (stoppedWaiting(error, ctx)) await cancelAtProvider(cancelUrl, 'PUT', auth(cancelUrl));
    throw error;
  }
  const result = resultSchema.safeParse(await providerJson(responseUrl, { method: 'GET', headers: auth(responseUrl) }, ctx));
  if (!result.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: request ${id} completed without a video URL`, { details: { request: id } });
  const video = result.data.video;
  return { url: typeof video === 'string' ? video : video.url, requestId: id };
}
