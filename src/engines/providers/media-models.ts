import { createElevenLabs } from '@ai-sdk/elevenlabs';
import { createOpenAI } from '@ai-sdk/openai';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createBlackForestLabs } from '@ai-sdk/black-forest-labs';
import { createFal } from '@ai-sdk/fal';
import { createLuma } from '@ai-sdk/luma';
import { createReplicate } from '@ai-sdk/replicate';
import type { Experimental_VideoModelV3 as VideoModelV3, ImageModelV3, SpeechModelV3, TranscriptionModelV3 } from '@ai-sdk/provider';
import { ShenbiError } from '../../core/errors.ts';
import { boundedFetch, MEDIA_RESPONSE_LIMITS } from './bounded-fetch.ts';
import type { ProviderConfig } from './config.ts';
import { a1111ImageModel, comfyImageModel } from '../sd-servers/image-models.ts';
import { queuedVideoModel } from './queued-video-models.ts';
import { replicatePollingFetch } from './replicate-polling-fetch.ts';
import { resolveSpec, type ResolveOptions } from './resolve.ts';

/**
 * Cloud text-to-speech, transcription and video through the AI SDK's media interfaces
 * (`experimental_generateSpeech`, `experimental_transcribe`, `experimental_generateVideo`),
 * by the same `provider:model` names and key variables as text models.
 */
const SPEECH_DEFAULTS: Record<string, string> = { openai: 'gpt-4o-mini-tts', elevenlabs: 'eleven_multilingual_v2' };
const TRANSCRIPTION_DEFAULTS: Record<string, string> = { openai: 'whisper-1', elevenlabs: 'scribe_v1' };

const ELEVENLABS_ORIGIN = 'https://api.elevenlabs.io/v1';

/** The ElevenLabs SDK has a fixed origin; a configured baseURL (a proxy, a test server) is applied by rewriting requests. */
function elevenLabs(config: ProviderConfig, key: string | undefined, bounded: typeof fetch) {
  const base = config.baseURL?.replace(/\/$/, '');
  const rebased: typeof fetch | undefined = base
    ? (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        return bounded(url.startsWith(ELEVENLABS_ORIGIN) ? base + url.slice(ELEVENLABS_ORIGIN.length) : url, init);
      }
    : undefined;
  return createElevenLabs({ apiKey: key, headers: config.headers, fetch: rebased ?? bounded });
}

const SPEECH_KINDS = new Set(['openai', 'elevenlabs']);

function unsupported(kind: string, what: string): ShenbiError {
  return new ShenbiError('ENGINE_UNAVAILABLE', `providers of kind "${kind}" offer no ${what} model through the AI SDK here`, {
    hint: 'Use openai:… or elevenlabs:…, or a local engine.',
  });
}

export function providerSpeechModel(spec: string, options: ResolveOptions = {}): SpeechModelV3 {
  const { config, modelId, key } = resolveSpec(spec, options, (c) => {
    if (!SPEECH_KINDS.has(c.kind)) throw unsupported(c.kind, 'speech');
    return SPEECH_DEFAULTS[c.kind];
  });
  const fetch = boundedFetch(options.responseLimits ?? MEDIA_RESPONSE_LIMITS);
  if (config.kind === 'elevenlabs') return elevenLabs(config, key, fetch).speech(modelId);
  if (config.kind === 'openai') return createOpenAI({ baseURL: config.baseURL, headers: config.headers, apiKey: key, fetch }).speech(modelId);
  throw unsupported(config.kind, 'speech');
}

export function providerTranscriptionModel(spec: string, options: ResolveOptions = {}): TranscriptionModelV3 {
  const { config, modelId, key } = resolveSpec(spec, options, (c) => {
    if (!SPEECH_KINDS.has(c.kind)) throw unsupported(c.kind, 'transcription');
    return TRANSCRIPTION_DEFAULTS[c.kind];
  });
  const fetch = boundedFetch(options.responseLimits ?? MEDIA_RESPONSE_LIMITS);
  if (config.kind === 'elevenlabs') return elevenLabs(config, key, fetch).transcription(modelId);
  if (config.kind === 'openai') return createOpenAI({ baseURL: config.baseURL, headers: config.headers, apiKey: key, fetch }).transcription(modelId);
  throw unsupported(config.kind, 'transcription');
}

const VIDEO_DEFAULTS: Record<string, string> = { google: 'veo-3.0-fast-generate-001', fal: 'fal-ai/kling-video/v2.1/standard/text-to-video', replicate: 'minimax/video-01' };

/**
 * Cloud video generation through the AI SDK's video interface: Google Veo, fal (also Kling,
 * MiniMax, Luma Ray, Hunyuan by fal model id) and Replicate (minimax/video-01, …). Polled or,
 * where the server receives webhooks, notified; never blocking other jobs.
 */
export function providerVideoModel(spec: string, options: ResolveOptions = {}): VideoModelV3 {
  const { config, modelId, key } = resolveSpec(spec, options, (c) => {
    const model = VIDEO_DEFAULTS[c.kind];
    if (!model) throw unsupported(c.kind, 'video');
    return model;
  });
  if (config.kind === 'google') return createGoogleGenerativeAI({ baseURL: config.baseURL, headers: config.headers, apiKey: key }).video(modelId);
  if (config.kind === 'fal' || config.kind === 'replicate') return queuedVideoModel({ ...config, kind: config.kind }, modelId, key, options.env);
  throw unsupported(config.kind, 'video');
}

const IMAGE_DEFAULTS: Record<string, string> = {
  openai: 'gpt-image-1',
  google: 'imagen-3.0-generate-002',
  fal: 'fal-ai/flux/schnell',
  replicate: 'black-forest-labs/flux-schnell',
  luma: 'photon-flash-1',
  'black-forest-labs': 'flux-pro-1.1',
};

/** Poll intervals for the providers that answer asynchronously (tests shorten them). */
export interface ImagePollOptions {
  pollIntervalMs?: number;
}

/**
 * Cloud text-to-image through the AI SDK's image interface: OpenAI, Google Imagen, fal,
 * Replicate, Luma Photon, Black Forest Labs FLUX, OpenAI-compatible servers, and the
 * self-hosted ComfyUI and AUTOMATIC1111 adapters. Keys for the cloud ones come from FAL_KEY,
 * REPLICATE_API_TOKEN, LUMA_API_KEY and BFL_API_KEY; a configured baseURL replaces the origin.
 */
export function providerImageModel(spec: string, options: ResolveOptions & ImagePollOptions = {}): ImageModelV3 {
  const { config, modelId, key } = resolveSpec(spec, options, (c) => {
    if (c.kind === 'automatic1111') return 'default';
    const model = IMAGE_DEFAULTS[c.kind];
    if (!model) throw unsupported(c.kind, 'image');
    return model;
  });
  const common = { baseURL: config.baseURL, headers: config.headers, apiKey: key };
  // These SDKs read their key variable themselves when none is passed; a local test server needs none.
  const cloud = { ...(config.baseURL ? { baseURL: config.baseURL } : {}), ...(config.headers ? { headers: config.headers } : {}), apiKey: key ?? '' };
  const poll = options.pollIntervalMs;
  if (config.kind === 'fal') return createFal(cloud).image(modelId);
  if (config.kind === 'replicate') {
    const base = config.baseURL ?? 'https://api.replicate.com/v1';
    const { apiKey, ...rest } = cloud;
    return createReplicate({ ...rest, apiToken: apiKey, fetch: replicatePollingFetch(base, poll === undefined ? {} : { intervalMs: poll }) }).image(modelId);
  }
  if (config.kind === 'black-forest-labs') return createBlackForestLabs({ ...cloud, ...(poll === undefined ? {} : { pollIntervalMillis: poll }) }).image(modelId);
  if (config.kind === 'luma') return createLuma(cloud).image(modelId);
  if (config.kind === 'openai') return createOpenAI(common).image(modelId);
  if (config.kind === 'google') return createGoogleGenerativeAI(common).image(modelId);
  if (config.kind === 'openai-compatible') return createOpenAICompatible({ name: config.name, baseURL: config.baseURL ?? '', headers: config.headers, apiKey: key }).imageModel(modelId);
  if (config.kind === 'automatic1111') return a1111ImageModel(config.baseURL ?? 'http://127.0.0.1:7860', modelId);
  if (config.kind === 'comfyui') return comfyImageModel(config.baseURL ?? 'http://127.0.0.1:8188', modelId);
  throw unsupported(config.kind, 'image');
}
