import { APICallError } from '@ai-sdk/provider';
import { ShenbiError } from '../../core/errors.ts';

/** Worth retrying or falling back on: 429, 5xx, timeouts, dropped connections. Never other 4xx. */
export function isRetryableProviderError(error: unknown): boolean {
  if (error instanceof ShenbiError) return error.code === 'PROVIDER_UNAVAILABLE' || error.code === 'ENGINE_TIMEOUT';
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
  if (error instanceof ShenbiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const details: Record<string, unknown> = { model: modelId };
  if (APICallError.isInstance(error) && error.statusCode !== undefined) details.status = error.statusCode;
  if (isRetryableProviderError(error)) {
    return new ShenbiError('PROVIDER_UNAVAILABLE', `${modelId}: ${message}`, { details, cause: error });
  }
  return new ShenbiError('PROVIDER_REJECTED', `${modelId}: ${message}`, { details, cause: error });
}
