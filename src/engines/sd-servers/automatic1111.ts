import { ShenbiError } from '../../core/errors.ts';
import { boundedFetch, type ResponseLimits } from '../providers/bounded-fetch.ts';
import { SD_SERVER_RESPONSE_LIMITS } from './response-limits.ts';

/**
 * AUTOMATIC1111 / Forge web UI API (`--api`): txt2img and img2img over HTTP, progress by
 * polling /sdapi/v1/progress while the request runs. For users with a GPU box: Stable
 * Diffusion and Flux through Shenbi, with progress and cancellation (/sdapi/v1/interrupt).
 */
export interface A1111Request {
  prompt: string;
  negativePrompt?: string;
  width: number;
  height: number;
  steps?: number;
  cfgScale?: number;
  seed?: number;
  count?: number;
  /** img2img: the source image (PNG/JPEG bytes) and how much to change it (0–1). */
  initImage?: Uint8Array;
  denoisingStrength?: number;
}

export interface A1111Options {
  baseURL: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  pollMs?: number;
  /** Bounds on each answer; default SD_SERVER_RESPONSE_LIMITS. */
  responseLimits?: ResponseLimits;
}

async function call(fetch: typeof globalThis.fetch, url: string, init: RequestInit, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if ((init.signal as AbortSignal | undefined)?.aborted) throw (init.signal as AbortSignal).reason;
    // A bound broken (no answer in time, too large) says so itself.
    if (error instanceof ShenbiError) throw error;
    throw new ShenbiError('PROVIDER_UNAVAILABLE', `AUTOMATIC1111 at ${new URL(url).origin} is not reachable (${what}): ${(error as Error).message}`, { cause: error, hint: 'Start the web UI with --api, or check the baseURL.' });
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      const body = JSON.parse(text) as { detail?: unknown; error?: string; errors?: string };
      message = String(body.errors ?? body.error ?? (typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail ?? body)));
    } catch {
      // not JSON: keep the text
    }
    throw new ShenbiError(response.status >= 500 ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_REJECTED', `AUTOMATIC1111 ${what} failed (${response.status}): ${message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('PROVIDER_REJECTED', `AUTOMATIC1111 ${what} answered with something that is not JSON`, { cause: error });
  }
}

export async function a1111Generate(request: A1111Request, options: A1111Options): Promise<{ images: Buffer[]; seed: number | null }> {
  const base = options.baseURL.replace(/\/$/, '');
  const fetch = boundedFetch(options.responseLimits ?? SD_SERVER_RESPONSE_LIMITS);
  const img2img = request.initImage !== undefined;
  const body = {
    prompt: request.prompt,
    negative_prompt: request.negativePrompt ?? '',
    width: request.width,
    height: request.height,
    steps: request.steps ?? 20,
    cfg_scale: request.cfgScale ?? 7,
    seed: request.seed ?? -1,
    batch_size: request.count ?? 1,
    ...(img2img ? { init_images: [Buffer.from(request.initImage!).toString('base64')], denoising_strength: request.denoisingStrength ?? 0.6 } : {}),
  };
  let done = false;
  const poll = (async () => {
    while (!done && options.onProgress) {
      await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
      if (done) break;
      try {
        const p = (await call(fetch, `${base}/sdapi/v1/progress?skip_current_image=true`, { method: 'GET' }, 'progress')) as { progress?: number };
        if (!done && typeof p.progress === 'number') options.onProgress(Math.min(1, p.progress));
      } catch {
        // Progress is best effort; the generation request decides success.
      }
    }
  })();
  const onAbort = () => void fetch(`${base}/sdapi/v1/interrupt`, { method: 'POST' }).catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = (await call(fetch, `${base}/sdapi/v1/${img2img ? 'img2img' : 'txt2img'}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(options.signal ? { signal: options.signal } : {}) }, img2img ? 'img2img' : 'txt2img')) as {
      images?: unknown;
      info?: string;
    };
    if (!Array.isArray(result.images) || result.images.length === 0) throw new ShenbiError('PROVIDER_REJECTED', 'AUTOMATIC1111 returned no images');
    let seed: number | null = null;
    try {
      seed = Number((JSON.parse(result.info ?? '{}') as { seed?: number }).seed ?? NaN);
      if (!Number.isFinite(seed)) seed = null;
    } catch {
      seed = null;
    }
    return { images: result.images.map((b64) => Buffer.from(String(b64).replace(/^data:image\/\w+;base64,/, ''), 'base64')), seed };
  } finally {
    done = true;
    options.signal?.removeEventListener('abort', onAbort);
    await poll;
  }
}
