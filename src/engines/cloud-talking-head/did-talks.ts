import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { providerJson } from '../cloud-music/http.ts';
import { generationFailed, pollUntil } from '../cloud-3d/poll.ts';
import { cancelAtProvider, reportPoll, stoppedWaiting } from './job-control.ts';
import type { SniffedMedia, TalkingHeadContext, TalkingHeadInputs, VideoLocation } from './types.ts';

/**
 * D-ID Talks (`Authorization: Basic <key>`, the key as D-ID's studio gives it): the portrait is
 * uploaded with `POST /images` and the audio with `POST /audios` (multipart; each answers
 * `{id, url}`), then `POST /talks {source_url, script: {type: 'audio', audio_url}}` answers
 * `{id, status: 'created'}`; `GET /talks/{id}` is polled until `done` (`result_url`), `error`
 * or `rejected` (`error.description`). `DELETE /talks/{id}` stops a talk nobody waits for.
 */

const uploadSchema = z.object({ url: z.string().min(1), id: z.string().optional() });
const createdSchema = z.object({ id: z.string().min(1), status: z.string().optional() });
const talkSchema = z.object({
  id: z.string().optional(),
  status: z.string(),
  result_url: z.string().optional(),
  error: z.union([z.object({ kind: z.string().optional(), description: z.string().optional() }).passthrough(), z.string()]).optional(),
});

const RUNNING = new Set(['created', 'started']);

async function upload(path: '/images' | '/audios', field: 'image' | 'audio', media: SniffedMedia, ctx: TalkingHeadContext): Promise<string> {
  const form = new FormData();
  form.append(field, new Blob([Buffer.from(media.bytes)], { type: media.mimeType }), `${field === 'image' ? 'portrait' : 'audio'}.${media.extension}`);
  const parsed = uploadSchema.safeParse(await providerJson(`${ctx.baseURL}${path}`, { method: 'POST', headers: ctx.headers, body: form }, ctx));
  if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the ${field} upload gave no url`);
  return parsed.data.url;
}

export async function didTalk(inputs: TalkingHeadInputs, ctx: TalkingHeadContext): Promise<VideoLocation> {
  if (ctx.modelId !== 'talks') throw new ShenbiError('INVALID_INPUT', `${ctx.spec}: D-ID offers did:talks (a portrait and audio); "${ctx.modelId}" is not known`);
  ctx.progress(0.02, 'uploading the portrait to D-ID');
  const sourceUrl = await upload('/images', 'image', inputs.portrait, ctx);
  ctx.progress(0.04, 'uploading the audio to D-ID');
  const audioUrl = await upload('/audios', 'audio', inputs.audio, ctx);
  const body = JSON.stringify({ source_url: sourceUrl, script: { type: 'audio', audio_url: audioUrl }, ...ctx.input });
  ctx.progress(0.05, `submitting to ${ctx.spec}`);
  const created = createdSchema.safeParse(await providerJson(`${ctx.baseURL}/talks`, { method: 'POST', headers: { ...ctx.headers, 'content-type': 'application/json' }, body }, ctx));
  if (!created.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: D-ID gave no talk id`);
  const id = created.data.id;
  const talkUrl = `${ctx.baseURL}/talks/${encodeURIComponent(id)}`;
  let polls = 0;
  let talk: z.infer<typeof talkSchema>;
  try {
    talk = await pollUntil(async () => {
      const parsed = talkSchema.safeParse(await providerJson(talkUrl, { method: 'GET', headers: ctx.headers }, ctx));
      if (!parsed.success) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: unexpected talk answer for ${id}`);
      polls++;
      if (!RUNNING.has(parsed.data.status)) return parsed.data;
      reportPoll(ctx, polls, parsed.data.status === 'started', parsed.data.status === 'started' ? 'rendering' : 'queued');
      return undefined;
    }, ctx, `talk ${id}`);
  } catch (error) {
    if (stoppedWaiting(error, ctx)) await cancelAtProvider(talkUrl, 'DELETE', ctx.headers);
    throw error;
  }
  if (talk.status !== 'done') {
    const reason = typeof talk.error === 'string' ? talk.error : [talk.error?.kind, talk.error?.description].filter(Boolean).join(': ') || undefined;
    throw generationFailed(ctx, id, talk.status, reason);
  }
  if (!talk.result_url) throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: talk ${id} is done without a result_url`, { details: { request: id } });
  return { url: talk.result_url, requestId: id };
}
