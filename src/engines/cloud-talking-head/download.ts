import { ShenbiError } from '../../core/errors.ts';
import { limitError } from '../cloud-3d/download.ts';
import { providerFetch, sameOrigin } from '../cloud-music/http.ts';
import { boundedFetch } from '../providers/bounded-fetch.ts';
import type { TalkingHeadContext, VideoLocation } from './types.ts';
import { checkMp4 } from './video-check.ts';

/** Headers within two minutes, and never a minute without a byte. */
const DOWNLOAD_LIMITS = { headersMs: 120_000, idleMs: 60_000 };

/**
 * Downloads the finished video under the byte cap (a larger Content-Length is refused before
 * reading, a body growing past it is cut off), retrying 429/5xx, then checks it is an MP4.
 * Only http(s); the key goes only to the API's own origin (results live on CDNs and S3).
 */
export async function downloadVideo(location: VideoLocation, ctx: TalkingHeadContext): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(location.url);
  } catch {
    throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the video URL is not a URL: ${location.url.slice(0, 200)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the video URL must be http(s), not ${url.protocol}`);
  const call = { ...ctx, fetch: boundedFetch({ ...DOWNLOAD_LIMITS, maxBytes: ctx.maxBytes }) };
  let bytes: Uint8Array;
  try {
    const response = await providerFetch(url.href, { method: 'GET', headers: sameOrigin(url.href, ctx.baseURL) ? ctx.headers : {} }, call);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    const limit = limitError(error);
    if (limit?.details?.limitBytes !== undefined) {
      throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: the video is larger than ${ctx.maxBytes} bytes, the most accepted; nothing was kept`, { details: { limitBytes: ctx.maxBytes }, cause: error });
    }
    if (limit !== undefined) throw limit;
    throw new ShenbiError('PROVIDER_UNAVAILABLE', `${ctx.spec}: downloading the video failed: ${(error as Error).message}`, { cause: error });
  }
  await checkMp4(bytes, location.requestId, ctx);
  return bytes;
}
