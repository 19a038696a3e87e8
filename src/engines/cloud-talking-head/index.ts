import { ShenbiError } from '../../core/errors.ts';
import type { EngineInfo } from '../engine-info.ts';
import { boundedFetch, TEXT_RESPONSE_LIMITS } from '../providers/bounded-fetch.ts';
import { resolveSpec } from '../providers/resolve.ts';
import { didTalk } from './did-talks.ts';
import { downloadVideo } from './download.ts';
import { falTalkingHead } from './fal-talking-head.ts';
import { checkedInputs } from './inputs.ts';
import { replicateTalkingHead } from './replicate-talking-head.ts';
import { isTalkingHeadProviderKind, type TalkingHeadProviderKind } from './spec.ts';
import type { TalkingHeadContext, TalkingHeadInputs, TalkingHeadOptions, TalkingHeadVideo, VideoLocation } from './types.ts';

export type { TalkingHeadMedia, TalkingHeadOptions, TalkingHeadProviders, TalkingHeadVideo } from './types.ts';
export { isTalkingHeadProviderModel, TALKING_HEAD_PROVIDER_KINDS } from './spec.ts';

export const CLOUD_TALKING_HEAD_ENGINE_INFO: EngineInfo = {
  id: 'cloud-talking-head',
  version: '1',
  tasks: ['video'],
  local: false,
  license: 'Apache-2.0 (adapters); the video is made by the provider under its terms',
  description: 'Talking heads (a portrait + audio → MP4) from fal (SadTalker, MuseTalk, LatentSync, sync.), Replicate (SadTalker …) and D-ID Talks through their HTTP APIs; every result is checked to be an MP4 before it is kept.',
};

/** The model used when the spec names only the provider. Replicate's community SadTalker runs only by version. */
const DEFAULT_MODELS: Record<TalkingHeadProviderKind, string> = {
  fal: 'fal-ai/sadtalker',
  replicate: 'cjwbw/sadtalker:3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376',
  did: 'talks',
};
const DEFAULT_BASE_URLS: Record<TalkingHeadProviderKind, string> = {
  fal: 'https://queue.fal.run',
  replicate: 'https://api.replicate.com/v1',
  did: 'https://api.d-id.com',
};
const ADAPTERS: Record<TalkingHeadProviderKind, (inputs: TalkingHeadInputs, ctx: TalkingHeadContext) => Promise<VideoLocation>> = {
  fal: falTalkingHead,
  replicate: replicateTalkingHead,
  did: didTalk,
};
const AUTH_SCHEMES: Record<TalkingHeadProviderKind, string> = { fal: 'Key', replicate: 'Bearer', did: 'Basic' };

/** API answers (JSON) are small; a stalled one must not hold the job. */
const API_LIMITS = { ...TEXT_RESPONSE_LIMITS, headersMs: 120_000, idleMs: 60_000 };
export const DEFAULT_TALKING_HEAD_MAX_BYTES = 500 * 1024 * 1024;
export const DEFAULT_TALKING_HEAD_INPUT_MAX_BYTES = 10 * 1024 * 1024;

/**
 * Sends the portrait and audio to the provider the model names, waits for the job (progress
 * from its queue), downloads the video under the byte cap and checks it is an MP4. Cancelling
 * (or the deadline) stops polling and asks the provider to stop the job.
 */
export async function generateTalkingHeadVideo(options: TalkingHeadOptions): Promise<TalkingHeadVideo> {
  const settings = options.providers ?? {};
  const { config, modelId, key } = resolveSpec(options.model, { providers: settings.providers ?? [], env: settings.env ?? process.env }, (c) =>
    isTalkingHeadProviderKind(c.kind) ? DEFAULT_MODELS[c.kind] : undefined,
  );
  const kind = config.kind;
  if (!isTalkingHeadProviderKind(kind)) {
    throw new ShenbiError('ENGINE_UNAVAILABLE', `provider "${config.name}" (${kind}) makes no talking-head video`, { hint: 'Use fal:fal-ai/sadtalker, replicate:cjwbw/sadtalker:<version> or did:talks, or leave the model out for the local renderer.' });
  }
  const maxInputBytes = settings.maxInputBytes ?? DEFAULT_TALKING_HEAD_INPUT_MAX_BYTES;
  const inputs = checkedInputs(options.portrait, options.audio, maxInputBytes);
  const spec = `${config.name}:${modelId}`;
  const timeoutMs = settings.timeoutMs ?? 20 * 60_000;
  // One deadline for the whole job, whatever stage it is in; cancellation stops it too.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new ShenbiError('ENGINE_TIMEOUT', `${spec}: no video within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const signal = options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);
  const ctx: TalkingHeadContext = {
    spec,
    keyEnv: config.apiKeyEnv,
    signal,
    retry: settings.retry,
    fetch: boundedFetch(API_LIMITS),
    modelId,
    baseURL: (config.baseURL ?? DEFAULT_BASE_URLS[kind]).replace(/\/+$/, ''),
    headers: { ...config.headers, ...(key === undefined ? {} : { authorization: `${AUTH_SCHEMES[kind]} ${key}` }) },
    pollMs: settings.pollMs ?? 3_000,
    timeoutMs,
    maxBytes: settings.maxBytes ?? DEFAULT_TALKING_HEAD_MAX_BYTES,
    maxInputBytes,
    input: options.input ?? {},
    progress: (fraction, message) => options.onProgress?.(Math.max(0, Math.min(1, fraction)), message),
  };
  try {
    const location = await ADAPTERS[kind](inputs, ctx);
    ctx.progress(0.9, 'downloading the video');
    const bytes = await downloadVideo(location, ctx);
    ctx.progress(1, 'done');
    return { bytes, mimeType: 'video/mp4', provider: config.name, model: modelId, requestId: location.requestId };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (deadline.signal.aborted) throw deadline.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
