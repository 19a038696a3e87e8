import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { backoffDelay, sleep } from '../../core/backoff.ts';
import { ShenbiError } from '../../core/errors.ts';
import { isRetryableProviderError, retryAfterMs, toProviderError } from './errors.ts';

export interface RetryOptions {
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

type Call<T> = (options: LanguageModelV3CallOptions) => PromiseLike<T>;

function wrap(model: LanguageModelV3, around: <T>(call: Call<T>, options: LanguageModelV3CallOptions) => Promise<T>): LanguageModelV3 {
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: (options) => around((o) => model.doGenerate(o), options),
    // Only the start of a stream is wrapped: once chunks flow, a retry would duplicate output.
    doStream: (options) => around((o) => model.doStream(o), options),
  };
}

/** Retries 429/5xx/timeouts/resets with exponential backoff + jitter, honouring Retry-After. */
export function withRetry(model: LanguageModelV3, options: RetryOptions = {}): LanguageModelV3 {
  const retries = options.retries ?? 2;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  return wrap(model, async (call, callOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(callOptions);
      } catch (error) {
        if (attempt >= retries || callOptions.abortSignal?.aborted || !isRetryableProviderError(error)) throw error;
        const backoff = backoffDelay({ maxAttempts: retries + 1, initialDelayMs: base, maxDelayMs: max, factor: 2 }, attempt + 1);
        await sleep(Math.min(max, retryAfterMs(error) ?? backoff), callOptions.abortSignal);
      }
    }
  });
}

/** Aborts a request (up to its first stream chunk or full answer) after `ms`; maps to ENGINE_TIMEOUT. */
export function withTimeout(model: LanguageModelV3, ms: number): LanguageModelV3 {
  return wrap(model, async (call, callOptions) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = callOptions.abortSignal ? AbortSignal.any([callOptions.abortSignal, timeout]) : timeout;
    try {
      return await call({ ...callOptions, abortSignal: signal });
    } catch (error) {
      if (timeout.aborted && !callOptions.abortSignal?.aborted) {
        throw new ShenbiError('ENGINE_TIMEOUT', `${model.modelId}: no answer within ${ms} ms`, { cause: error });
      }
      throw error;
    }
  });
}

/** Maps final failures to PROVIDER_UNAVAILABLE / PROVIDER_REJECTED, keeping the provider's message. */
export function withErrorMapping(model: LanguageModelV3): LanguageModelV3 {
  return wrap(model, async (call, callOptions) => {
    try {
      return await call(callOptions);
    } catch (error) {
      if (callOptions.abortSignal?.aborted) throw error;
      throw toProviderError(error, model.modelId);
    }
  });
}

/** Tries each model in turn on retryable failures; the answering model is in response.modelId and providerMetadata.shenbi. */
export function fallback(models: readonly LanguageModelV3[]): LanguageModelV3 {
  const first = models[0];
  if (!first) throw new ShenbiError('INVALID_INPUT', 'fallback needs at least one model');
  async function run<T>(pick: (m: LanguageModelV3) => PromiseLike<T>, signal: AbortSignal | undefined): Promise<{ result: T; model: LanguageModelV3 }> {
    let last: unknown;
    for (const model of models) {
      try {
        return { result: await pick(model), model };
      } catch (error) {
        last = error;
        if (signal?.aborted || !isRetryableProviderError(error)) throw error;
      }
    }
    throw last;
  }
  return {
    specificationVersion: 'v3',
    provider: 'shenbi.fallback',
    modelId: models.map((m) => `${m.provider}:${m.modelId}`).join('|'),
    supportedUrls: first.supportedUrls,
    doGenerate: async (options) => {
      const { result, model } = await run((m) => m.doGenerate(options), options.abortSignal);
      return {
        ...result,
        response: { ...result.response, modelId: result.response?.modelId ?? model.modelId },
        providerMetadata: { ...result.providerMetadata, shenbi: { answeredBy: `${model.provider}:${model.modelId}` } },
      };
    },
    doStream: async (options) => (await run((m) => m.doStream(options), options.abortSignal)).result,
  };
}
