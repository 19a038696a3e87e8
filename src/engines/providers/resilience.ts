import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
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

export interface TimeoutOptions {
  /** Longest wait between two stream chunks once a stream has started; default: the same as `ms`. */
  idleMs?: number;
}

/**
 * Aborts a request that gives no answer (or no first stream chunk) within `ms`, and a stream
 * that then stalls for `idleMs` between chunks: the connection is closed and the stream ends
 * with ENGINE_TIMEOUT instead of hanging. A stream that keeps flowing may run as long as it needs.
 */
export function withTimeout(model: LanguageModelV3, ms: number, options: TimeoutOptions = {}): LanguageModelV3 {
  const idleMs = options.idleMs ?? ms;
  const timeoutError = (phase: string, limit: number, cause?: unknown) =>
    new ShenbiError('ENGINE_TIMEOUT', `${model.modelId}: ${phase} within ${limit} ms`, { cause });
  const guarded = async <T>(call: (o: LanguageModelV3CallOptions) => PromiseLike<T>, callOptions: LanguageModelV3CallOptions, controller: AbortController) => {
    const signal = callOptions.abortSignal ? AbortSignal.any([callOptions.abortSignal, controller.signal]) : controller.signal;
    const timer = setTimeout(() => controller.abort(timeoutError('no answer', ms)), ms);
    try {
      return await call({ ...callOptions, abortSignal: signal });
    } catch (error) {
      if (controller.signal.aborted && !callOptions.abortSignal?.aborted) throw timeoutError('no answer', ms, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: (callOptions) => guarded((o) => model.doGenerate(o), callOptions, new AbortController()),
    doStream: async (callOptions) => {
      const controller = new AbortController();
      const result = await guarded((o) => model.doStream(o), callOptions, controller);
      let timer: NodeJS.Timeout | undefined;
      let out: TransformStreamDefaultController<LanguageModelV3StreamPart> | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const error = timeoutError('stream stalled: no chunk', idleMs);
          controller.abort(error); // closes the provider connection
          out?.error(error);
        }, idleMs);
        timer.unref();
      };
      const stream = result.stream.pipeThrough(
        new TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart>({
          start(c) {
            out = c;
            arm();
          },
          transform(part, c) {
            arm();
            c.enqueue(part);
          },
          flush: () => clearTimeout(timer),
        }),
      );
      return { ...result, stream };
    },
  };
}

/**
 * Maps final failures to PROVIDER_UNAVAILABLE / PROVIDER_REJECTED, keeping the provider's
 * message: of the call, and of a stream once it flows (a connection dropped mid-stream ends it
 * with an error part instead of throwing the SDK's raw error at the reader).
 */
export function withErrorMapping(model: LanguageModelV3): LanguageModelV3 {
  const mapped = wrap(model, async (call, callOptions) => {
    try {
      return await call(callOptions);
    } catch (error) {
      if (callOptions.abortSignal?.aborted) throw error;
      throw toProviderError(error, model.modelId);
    }
  });
  return {
    ...mapped,
    doStream: async (callOptions) => {
      const result = await mapped.doStream(callOptions);
      const map = (error: unknown) => (callOptions.abortSignal?.aborted ? error : toProviderError(error, model.modelId));
      return { ...result, stream: withStreamErrorsMapped(result.stream, map) };
    },
  };
}

function withStreamErrorsMapped(stream: ReadableStream<LanguageModelV3StreamPart>, map: (error: unknown) => unknown): ReadableStream<LanguageModelV3StreamPart> {
  const reader = stream.getReader();
  return new ReadableStream<LanguageModelV3StreamPart>({
    async pull(controller) {
      let next;
      try {
        next = await reader.read();
      } catch (error) {
        controller.enqueue({ type: 'error', error: map(error) });
        controller.close();
        return;
      }
      if (next.done) return controller.close();
      controller.enqueue(next.value.type === 'error' ? { ...next.value, error: map(next.value.error) } : next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * Tries each model in turn on retryable failures; the answering model is in response.modelId
 * and providerMetadata.shenbi.answeredBy. A stream counts as failed (and the next model is
 * tried) when it errors before producing any content; after content has flowed, an error is
 * passed on, because starting again would repeat output.
 */
export function fallback(models: readonly LanguageModelV3[]): LanguageModelV3 {
  const first = models[0];
  if (!first) throw new ShenbiError('INVALID_INPUT', 'fallback needs at least one model');
  const label = (m: LanguageModelV3) => `${m.provider}:${m.modelId}`;

  async function startStream(model: LanguageModelV3, options: LanguageModelV3CallOptions) {
    const result = await model.doStream(options);
    const reader = result.stream.getReader();
    // Read ahead to the first content (or error) part, keeping what came before it.
    const head: LanguageModelV3StreamPart[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.type === 'error') {
        reader.releaseLock();
        throw value.error;
      }
      head.push(value);
      if (value.type !== 'stream-start' && value.type !== 'response-metadata') break;
    }
    return { result, reader, head };
  }

  return {
    specificationVersion: 'v3',
    provider: 'shenbi.fallback',
    modelId: models.map(label).join('|'),
    supportedUrls: first.supportedUrls,
    doGenerate: async (options) => {
      let last: unknown;
      for (const model of models) {
        try {
          const result = await model.doGenerate(options);
          return {
            ...result,
            response: { ...result.response, modelId: result.response?.modelId ?? model.modelId },
            providerMetadata: { ...result.providerMetadata, shenbi: { answeredBy: label(model) } },
          };
        } catch (error) {
          last = error;
          if (options.abortSignal?.aborted || !isRetryableProviderError(error)) throw error;
        }
      }
      throw last;
    },
    doStream: async (options) => {
      let last: unknown;
      for (const model of models) {
        let started;
        try {
          started = await startStream(model, options);
        } catch (error) {
          last = error;
          if (options.abortSignal?.aborted || !isRetryableProviderError(error)) throw error;
          continue;
        }
        const { result, reader, head } = started;
        const answeredBy = label(model);
        const stream = new ReadableStream<LanguageModelV3StreamPart>({
          start(controller) {
            controller.enqueue({ type: 'response-metadata', modelId: model.modelId });
            for (const part of head) controller.enqueue(part);
          },
          async pull(controller) {
            const { done, value } = await reader.read();
            if (done) return controller.close();
            controller.enqueue(
              value.type === 'finish' ? { ...value, providerMetadata: { ...value.providerMetadata, shenbi: { answeredBy } } } : value,
            );
          },
          cancel: (reason) => reader.cancel(reason),
        });
        return { ...result, stream };
      }
      throw last;
    },
  };
}
