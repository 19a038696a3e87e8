import { ShenbiError } from '../../core/errors.ts';
import { boundedFetch } from '../providers/bounded-fetch.ts';
import { providerFetch } from '../cloud-music/http.ts';
import type { CloudMotionContext } from './types.ts';

/** Headers within two minutes, and never a minute without a byte. */
const TIME_LIMITS = { headersMs: 120_000, idleMs: 60_000 };
/** The longest pause between polls a server may ask for with Retry-After. */
const MAX_POLL_HINT_MS = 60_000;

export interface MotionAnswer {
  bytes: Uint8Array;
  /** The server's Retry-After on a 2xx (when to poll next), ms. */
  retryAfterMs: number | undefined;
}

/** The size error bounded-fetch raised somewhere in a failure's cause chain, if any. */
function sizeLimitError(error: unknown): ShenbiError | undefined {
  for (let current = error, depth = 0; current !== null && current !== undefined && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof ShenbiError && current.details?.limitBytes !== undefined) return current;
  }
  return undefined;
}

function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(MAX_POLL_HINT_MS, seconds * 1000) : undefined;
}

/**
 * One call with retries on 429/5xx (Retry-After honoured), its body read under the byte cap:
 * a larger Content-Length is refused before reading, a body that grows past it is cut off,
 * and either is PROVIDER_REJECTED before anything is parsed or stored.
 */
export async function motionRequest(url: string, init: RequestInit, ctx: CloudMotionContext, what: string): Promise<MotionAnswer> {
  const call = { ...ctx, fetch: boundedFetch({ ...TIME_LIMITS, maxBytes: ctx.maxBytes }) };
  try {
    const response = await providerFetch(url, init, call);
    return { bytes: new Uint8Array(await response.arrayBuffer()), retryAfterMs: retryAfter(response.headers.get('retry-after')) };
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (sizeLimitError(error) !== undefined) {
      throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: ${what} is larger than ${ctx.maxBytes} bytes, the most accepted; nothing was stored`, { details: { limitBytes: ctx.maxBytes }, cause: error });
    }
    if (error instanceof ShenbiError) throw error;
    throw new ShenbiError('PROVIDER_UNAVAILABLE', `${ctx.spec}: ${what} could not be read: ${(error as Error).message}`, { cause: error });
  }
}

/** The answer as JSON; Python's bare NaN/Infinity (json.dumps' default) is not JSON and is refused here. */
export function parseJsonAnswer(answer: MotionAnswer, ctx: CloudMotionContext, what: string): unknown {
  const text = new TextDecoder().decode(answer.bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('PROVIDER_REJECTED', `${ctx.spec}: ${what} is not JSON (NaN and Infinity are not JSON numbers): ${text.slice(0, 200)}`, { cause: error });
  }
}
