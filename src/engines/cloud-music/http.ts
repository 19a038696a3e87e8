import { APICallError } from '@ai-sdk/provider';
import { ShenbiError } from '../../core/errors.ts';
import { retryProviderCall, type ProviderRetryOptions } from '../providers/retry-call.ts';
import { toProviderError } from '../providers/errors.ts';

/**
 * Plain fetch for the provider APIs the AI SDK has no interface for (music). Non-2xx answers
 * become `APICallError`s, as the AI SDK providers throw them, so the shared provider helpers
 * (retryable?, Retry-After, final error mapping) treat them alike.
 */

export interface ProviderCallContext {
  /** `provider:model`, for messages. */
  spec: string;
  /** The env var holding the key, for the hint on 401/403. */
  keyEnv?: string | undefined;
  signal?: AbortSignal | undefined;
  retry?: ProviderRetryOptions | undefined;
  /** The fetch to use (a `boundedFetch` for large downloads); default the global one. */
  fetch?: typeof fetch | undefined;
}

/** Largest audio file accepted from a provider (a 5-minute WAV at 48 kHz stereo is ~58 MB). */
export const MAX_AUDIO_BYTES = 100 * 1024 * 1024;

/** The human part of a provider's error body: ElevenLabs `detail.message`, Replicate/fal `detail`, OpenAI-style `error.message`, D-ID `description`. */
export function providerMessage(body: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 500) || undefined;
  }
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((v) => pick(v)).filter(Boolean).join('; ') || undefined;
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      return pick(o.message) ?? pick(o.msg) ?? pick(o.detail) ?? pick(o.error) ?? pick(o.title) ?? pick(o.description);
    }
    return undefined;
  };
  return pick(data);
}

async function fetchOnce(url: string, init: RequestInit, signal: AbortSignal | undefined, fetcher: typeof fetch = fetch): Promise<Response> {
  let response: Response;
  try {
    response = await fetcher(url, { ...init, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    // No answer at all: retryable like a dropped connection.
    throw new APICallError({ message: `no answer from ${new URL(url).host}: ${(error as Error).message}`, url, requestBodyValues: init.body, cause: error, isRetryable: true });
  }
  if (response.ok) return response;
  const body = await response.text().catch(() => '');
  const status = response.status;
  throw new APICallError({
    message: `${status} ${providerMessage(body) ?? response.statusText}`,
    url,
    requestBodyValues: init.body,
    statusCode: status,
    responseHeaders: Object.fromEntries(response.headers.entries()),
    responseBody: body,
    isRetryable: status === 408 || status === 429 || status >= 500,
  });
}

/** The final failure as a ShenbiError; a refused key names the variable to set. */
export function mapProviderFailure(error: unknown, call: ProviderCallContext): ShenbiError {
  if (call.signal?.aborted) return new ShenbiError('JOB_CANCELLED', `${call.spec}: cancelled`, { cause: error });
  const mapped = toProviderError(error, call.spec);
  const status = APICallError.isInstance(error) ? error.statusCode : undefined;
  if ((status === 401 || status === 403) && call.keyEnv) {
    return new ShenbiError(mapped.code, mapped.message, { details: mapped.details, hint: `Check the key in ${call.keyEnv}.`, cause: error });
  }
  return mapped;
}

/** One HTTP call with retries on 429/5xx/dropped connections (Retry-After honoured); final errors mapped. */
export async function providerFetch(url: string, init: RequestInit, call: ProviderCallContext): Promise<Response> {
  try {
    return await retryProviderCall(() => fetchOnce(url, init, call.signal, call.fetch), { ...call.retry, signal: call.signal });
  } catch (error) {
    throw mapProviderFailure(error, call);
  }
}

export async function providerJson(url: string, init: RequestInit, call: ProviderCallContext): Promise<unknown> {
  const response = await providerFetch(url, init, call);
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('PROVIDER_REJECTED', `${call.spec}: the answer from ${new URL(url).pathname} is not JSON: ${text.slice(0, 200)}`, { cause: error });
  }
}

/** Reads an audio body, refusing empty or oversized answers. */
export async function audioBody(response: Response, call: ProviderCallContext): Promise<{ bytes: Uint8Array; mediaType: string | undefined }> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_AUDIO_BYTES) throw new ShenbiError('MEDIA_INVALID', `${call.spec}: the audio is ${declared} bytes, over the ${MAX_AUDIO_BYTES}-byte limit`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_AUDIO_BYTES) throw new ShenbiError('MEDIA_INVALID', `${call.spec}: the audio is over the ${MAX_AUDIO_BYTES}-byte limit`);
  if (bytes.length === 0) throw new ShenbiError('MEDIA_INVALID', `${call.spec}: the provider returned no audio (0 bytes)`);
  return { bytes, mediaType: response.headers.get('content-type') ?? undefined };
}

/**
 * Downloads a result file the provider named (replicate.delivery, fal.media …). Only http(s);
 * no credentials are sent unless the file is on the API's own origin.
 */
export async function downloadAudio(url: string, apiOrigin: string, headers: Record<string, string>, call: ProviderCallContext): Promise<{ bytes: Uint8Array; mediaType: string | undefined }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ShenbiError('PROVIDER_REJECTED', `${call.spec}: the result URL is not a URL: ${url.slice(0, 200)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ShenbiError('PROVIDER_REJECTED', `${call.spec}: the result URL must be http(s), not ${parsed.protocol}`);
  const sameOrigin = parsed.origin === new URL(apiOrigin).origin;
  const response = await providerFetch(parsed.href, { method: 'GET', headers: sameOrigin ? headers : {} }, call);
  return audioBody(response, call);
}

/** Same-origin check for provider-given polling URLs (credentials go only to the API itself). */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
