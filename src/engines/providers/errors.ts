import { APICallError } from '@ai-sdk/provider';
import { ShenbiError } from '../../core/errors.ts';

/** Errors a failure wraps (`cause` chain), the failure itself first; a few levels only. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== null && current !== undefined && chain.length < 6; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
    if (typeof current !== 'object') break;
  }
  return chain;
}

/** A Shenbi limit (timeout, size) that ended a call, under the SDK's "failed to process" wrapper. */
function innerShenbiError(error: unknown): ShenbiError | undefined {
  return causes(error).find((e): e is ShenbiError => e instanceof ShenbiError);
}

/** The connection dropped while the body was being read (undici: "terminated", other side closed). */
function droppedMidBody(error: unknown): Error | undefined {
  return causes(error)
    .slice(1)
    .find((e): e is Error => e instanceof Error && (/^terminated$/.test(e.message) || ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(String((e as { code?: unknown }).code))));
}

/** Worth retrying or falling back on: 429, 5xx, timeouts, dropped connections. Never other 4xx. */
export function isRetryableProviderError(error: unknown): boolean {
  const limit = innerShenbiError(error);
  if (limit !== undefined) return limit.code === 'PROVIDER_UNAVAILABLE' || limit.code === 'ENGINE_TIMEOUT';
  if (droppedMidBody(error) !== undefined) return true;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status === undefined) return true; // no response: connection refused/reset
    return status === 429 || status === 408 || status >= 500;
  }
  const code = (error as { cause?: { code?: string }; code?: string } | null)?.cause?.code ?? (error as { code?: string } | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'UND_ERR_SOCKET' || error instanceof TypeError;
}

/** Seconds or HTTP-date from a Retry-After header, in ms. */
export function retryAfterMs(error: unknown): number | undefined {
  if (!APICallError.isInstance(error)) return undefined;
  const value = error.responseHeaders?.['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Final failure to a ShenbiError, keeping the provider's own message. */
export function toProviderError(error: unknown, modelId: string): ShenbiError {
  const limit = innerShenbiError(error);
  if (limit !== undefined) return limit;
  const dropped = droppedMidBody(error);
  const message = `${error instanceof Error ? error.message : String(error)}${dropped ? ` (the connection dropped: ${dropped.message})` : ''}`;
  const details: Record<string, unknown> = { model: modelId };
  if (APICallError.isInstance(error) && error.statusCode !== undefined) details.status = error.statusCode;
  if (isRetryableProviderError(error)) {
    return new ShenbiError('PROVIDER_UNAVAILABLE', `${modelId}: ${message}`, { details, cause: error });
  }
  return new ShenbiError('PROVIDER_REJECTED', `${modelId}: ${message}`, { details, cause: error });
}
