import { ShenbiError } from '../../core/errors.ts';
import { boundedFetch } from '../providers/bounded-fetch.ts';
import { providerFetch } from '../cloud-music/http.ts';
import type { Cloud3dContext, Cloud3dResult, ModelLocation } from './types.ts';
import { offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import * as validation from './validate-model.ts';

// Parsing a provider's model (up to the byte cap, hundreds of MB) is CPU work: not on the event loop.
const checkTask = offThreadTask(new URL('./validate-model.ts', import.meta.url), validation, 'checkModelFile');

/** Default and hard ceiling for a provider's model file: real textured GLBs run 5–60 MB. */
export const DEFAULT_MODEL_MAX_BYTES = 200 * 1024 * 1024;
export const MODEL_MAX_BYTES_CEILING = 1024 * 1024 * 1024;
/** Headers within two minutes, and never a minute without a byte. */
const DOWNLOAD_LIMITS = { headersMs: 120_000, idleMs: 60_000 };

function tooLarge(ctx: Cloud3dContext, cause: unknown): ShenbiError {
  return new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the model file is larger than ${ctx.maxBytes} bytes, the most accepted; nothing was stored`, { details: { limitBytes: ctx.maxBytes }, cause });
}

/** The ShenbiError a failed body read wraps (bounded-fetch's size or idle limit), if any. */
export function limitError(error: unknown): ShenbiError | undefined {
  for (let current = error, depth = 0; current !== null && current !== undefined && depth < 6; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof ShenbiError) return current;
  }
  return undefined;
}

/**
 * Downloads the finished model through `boundedFetch` (a Content-Length over the cap is refused
 * before the body is read; a body that grows past it is cut off) and parses it as glTF.
 * Only http(s); credentials go only to the API's own origin (result files live on CDNs).
 */
export async function downloadModel(location: ModelLocation, ctx: Cloud3dContext): Promise<Cloud3dResult> {
  let parsed: URL;
  try {
    parsed = new URL(location.url);
  } catch {
    throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the model URL is not a URL: ${location.url.slice(0, 200)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the model URL must be http(s), not ${parsed.protocol}`);
  const sameOrigin = parsed.origin === new URL(ctx.baseURL).origin;
  const call = { ...ctx, fetch: boundedFetch({ ...DOWNLOAD_LIMITS, maxBytes: ctx.maxBytes }) };
  let bytes: Uint8Array;
  try {
    const response = await providerFetch(parsed.href, { method: 'GET', headers: sameOrigin ? ctx.headers : {} }, call);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    const limit = limitError(error);
    if (limit?.details?.limitBytes !== undefined) throw tooLarge(ctx, error);
    if (limit !== undefined) throw limit;
    throw new ShenbiError('PROVIDER_UNAVAILABLE', `${ctx.spec}: downloading the model failed: ${(error as Error).message}`, { cause: error });
  }
  const checked = await runOffThread(checkTask, [bytes, ctx.spec], ctx.signal === undefined ? {} : { signal: ctx.signal });
  return { bytes, format: checked.format, meshes: checked.meshes, requestId: location.requestId };
}
