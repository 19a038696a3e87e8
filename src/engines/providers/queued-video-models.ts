import { createFal } from '@ai-sdk/fal';
import { createReplicate } from '@ai-sdk/replicate';
import type { Experimental_VideoModelV3 as VideoModelV3, Experimental_VideoModelV3CallOptions as VideoCallOptions } from '@ai-sdk/provider';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import type { ProviderConfig } from './config.ts';
import { retryingFetch, type FetchRetryOptions } from './retrying-fetch.ts';
import { standardWebhookVerifier, webhookRegistry, type PendingWebhook } from './webhook-registry.ts';

/**
 * fal and Replicate video models (the AI SDK's own), each call given a fetch that (1) points
 * the SDK's fixed origins at a configured baseURL, (2) retries 429/5xx/dropped connections,
 * and (3) when this process receives webhooks, asks the provider for one and answers the
 * SDK's next poll from the webhook instead of the network (falling back to polling after
 * `webhookWaitMs`). The finished clip is downloaded here, so a result is bytes, not a URL.
 */
const FAL_QUEUE = 'https://queue.fal.run';
const REPLICATE_API = 'https://api.replicate.com/v1';

/** Shenbi's own per-call options, under providerOptions.shenbi. */
const shenbiOptionsSchema = z.object({
  webhookWaitMs: z.number().int().min(1).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  retryBaseMs: z.number().int().min(1).optional(),
});

type Fetch = typeof fetch;
const urlOf = (input: Parameters<Fetch>[0]) => (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const isLoopback = (url: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(url);

/** Replicate's webhook signing secrets, by API origin and token (fetched once). */
const replicateSecrets = new Map<string, Promise<string | undefined>>();

export async function replicateSigningSecret(base: string, key: string | undefined, inner: Fetch, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.REPLICATE_WEBHOOK_SECRET) return env.REPLICATE_WEBHOOK_SECRET;
  const cacheKey = `${base}\n${key ?? ''}`;
  let secret = replicateSecrets.get(cacheKey);
  if (secret === undefined) {
    secret = (async () => {
      const response = await inner(`${base}/webhooks/default/secret`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { key?: unknown };
      return typeof body.key === 'string' ? body.key : undefined;
    })().catch(() => undefined);
    replicateSecrets.set(cacheKey, secret);
  }
  const value = await secret;
  if (value === undefined) replicateSecrets.delete(cacheKey);
  return value;
}

interface CallState {
  pending: PendingWebhook | undefined;
  /** Set once the webhook wait timed out: the SDK's polls go to the network again. */
  polling: boolean;
}

function webhookFetch(kind: 'fal' | 'replicate', base: string, key: string | undefined, inner: Fetch, state: CallState, waitMs: number, env: NodeJS.ProcessEnv): Fetch {
  return async (input, init) => {
    const url = urlOf(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method === 'POST' && state.pending === undefined && webhookRegistry.receiving) {
      if (kind === 'replicate') {
        const secret = await replicateSigningSecret(base, key, inner, env);
        // Without the signing secret a webhook could not be verified: poll instead.
        if (secret !== undefined) state.pending = webhookRegistry.open('replicate', standardWebhookVerifier(secret));
        if (state.pending && typeof init?.body === 'string') {
          const body = { ...(JSON.parse(init.body) as Record<string, unknown>), webhook: state.pending.url, webhook_events_filter: ['completed'] };
          const headers = new Headers(init.headers);
          headers.delete('prefer'); // no need to hold the connection open: the webhook will come
          return inner(url, { ...init, headers, body: JSON.stringify(body) });
        }
      } else {
        // fal signs webhooks with ED25519 keys fetched from its JWKS; here the unguessable per-request token is the check.
        state.pending = webhookRegistry.open('fal', () => true);
        if (state.pending) {
          const withHook = new URL(url);
          withHook.searchParams.set('fal_webhook', state.pending.url);
          return inner(withHook.href, init);
        }
      }
    }
    if (method === 'GET' && state.pending !== undefined && !state.polling) {
      const payload = await state.pending.wait(waitMs, init?.signal);
      if (payload === undefined) {
        state.polling = true;
        return inner(input, init);
      }
      if (kind === 'replicate') return json(payload);
      // fal: { request_id, status: 'OK' | 'ERROR', payload, error }
      const delivered = payload as { status?: string; payload?: unknown; error?: unknown };
      if (delivered.status === 'OK') return json(delivered.payload);
      const detail = delivered.payload === undefined ? '' : ` ${JSON.stringify(delivered.payload)}`;
      return json({ error: { message: `${String(delivered.error ?? 'generation failed')}${detail}`, code: 422 } }, 422);
    }
    return inner(input, init);
  };
}

/** The SDK's fal client has a fixed queue origin: a configured baseURL replaces it. */
function rebase(base: string | undefined, origin: string, inner: Fetch): Fetch {
  if (base === undefined) return inner;
  const to = base.replace(/\/+$/, '');
  return (input, init) => {
    const url = urlOf(input);
    return inner(url.startsWith(origin) ? to + url.slice(origin.length) : url, init);
  };
}

/**
 * The AI SDK's own downloader refuses loopback and private addresses; so does this one,
 * except when the provider itself is configured on loopback (a local proxy or a test).
 */
async function downloadClip(url: string, allowLoopback: boolean, fetcher: Fetch, signal: AbortSignal | undefined, modelId: string): Promise<{ data: Uint8Array; mediaType: string | undefined }> {
  const parsed = new URL(url);
  const privateHost = /^(localhost|\[.*\]|\d+\.\d+\.\d+\.\d+)$/i.test(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(allowLoopback && isLoopback(url))) {
    throw new ShenbiError('PROVIDER_REJECTED', `${modelId}: refusing to download the clip from ${parsed.origin} (not https)`);
  }
  if (privateHost && !(allowLoopback && isLoopback(url))) {
    throw new ShenbiError('PROVIDER_REJECTED', `${modelId}: refusing to download the clip from an address literal (${parsed.hostname})`);
  }
  const response = await fetcher(url, signal ? { signal } : {});
  if (!response.ok) {
    const code = response.status >= 500 || response.status === 429 ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_REJECTED';
    throw new ShenbiError(code, `${modelId}: downloading the clip failed with HTTP ${response.status}`, { details: { status: response.status } });
  }
  return { data: new Uint8Array(await response.arrayBuffer()), mediaType: response.headers.get('content-type') ?? undefined };
}

export function queuedVideoModel(config: ProviderConfig & { kind: 'fal' | 'replicate' }, modelId: string, key: string | undefined, env: NodeJS.ProcessEnv = process.env): VideoModelV3 {
  const kind = config.kind;
  const origin = kind === 'fal' ? FAL_QUEUE : REPLICATE_API;
  const base = (config.baseURL ?? origin).replace(/\/+$/, '');
  const allowLoopback = isLoopback(base);
  return {
    specificationVersion: 'v3',
    provider: `${kind}.video`,
    modelId,
    maxVideosPerCall: 1,
    async doGenerate(options: VideoCallOptions) {
      const own = shenbiOptionsSchema.parse(options.providerOptions?.shenbi ?? {});
      const retry: FetchRetryOptions = { retries: own.retries ?? 2, baseDelayMs: own.retryBaseMs ?? 1000 };
      const network = retryingFetch(rebase(config.baseURL, origin, fetch), retry);
      const state: CallState = { pending: undefined, polling: false };
      const callFetch = webhookFetch(kind, base, key, network, state, own.webhookWaitMs ?? 15 * 60_000, env);
      const common = { ...(config.headers ? { headers: config.headers } : {}), fetch: callFetch };
      const model = kind === 'fal'
        ? createFal({ ...common, apiKey: key ?? '' }).video(modelId)
        : createReplicate({ ...common, apiToken: key ?? '', baseURL: base }).video(modelId);
      try {
        const result = await model.doGenerate(options);
        const videos = await Promise.all(
          result.videos.map(async (video) => {
            if (video.type !== 'url') return video;
            const clip = await downloadClip(video.url, allowLoopback, network, options.abortSignal, modelId);
            return { type: 'binary' as const, data: clip.data, mediaType: clip.mediaType && clip.mediaType !== 'application/octet-stream' ? clip.mediaType : video.mediaType };
          }),
        );
        return { ...result, videos };
      } finally {
        state.pending?.close();
      }
    },
  };
}
