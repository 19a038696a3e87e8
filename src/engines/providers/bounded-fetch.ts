import { ShenbiError } from '../../core/errors.ts';

/** Bounds on one provider response; an absent bound is not enforced. */
export interface ResponseLimits {
  /** Longest wait for the status line and headers, ms. */
  headersMs?: number;
  /** Longest pause between two chunks of the body, ms. */
  idleMs?: number;
  /** Largest body, bytes: a larger Content-Length is refused before reading, a longer body is cut off. */
  maxBytes?: number;
}

/**
 * Text answers (JSON or SSE) are small; time is bounded by `withTimeout` around the model.
 * 32 MiB is far beyond any real completion and far below what would strain the server.
 */
export const TEXT_RESPONSE_LIMITS: ResponseLimits = { maxBytes: 32 * 1024 * 1024 };

/**
 * Audio and image answers: the size of a long WAV at most, headers within five minutes (some
 * providers render before answering), and never a minute without a byte.
 */
export const MEDIA_RESPONSE_LIMITS: ResponseLimits = { headersMs: 300_000, idleMs: 60_000, maxBytes: 256 * 1024 * 1024 };

/**
 * A fetch for provider clients that cannot hang or grow without bound: a provider that never
 * answers, trickles, or streams an endless body fails with ENGINE_TIMEOUT (retryable) or
 * PROVIDER_REJECTED (too large) instead of holding a job and memory forever.
 */
export function boundedFetch(limits: ResponseLimits, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const host = hostOf(input);
    const controller = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    const headersTimer =
      limits.headersMs === undefined ? undefined : setTimeout(() => controller.abort(new ShenbiError('ENGINE_TIMEOUT', `${host}: no answer within ${limits.headersMs} ms`)), limits.headersMs);
    let response: Response;
    try {
      response = await inner(input, { ...init, signal });
    } catch (error) {
      // Our own deadline is the reason to report, not the AbortError it caused.
      if (controller.signal.aborted && !init?.signal?.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(headersTimer);
    }
    const tooLarge = () => new ShenbiError('PROVIDER_REJECTED', `${host}: the answer is larger than ${limits.maxBytes} bytes, the most accepted`, { details: { limitBytes: limits.maxBytes } });
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (limits.maxBytes !== undefined && Number.isFinite(declared) && declared > limits.maxBytes) {
      controller.abort(tooLarge());
      throw tooLarge();
    }
    if (response.body === null || (limits.maxBytes === undefined && limits.idleMs === undefined)) return response;

    // Pulled by the reader: the idle limit runs only while the reader waits for the provider.
    const reader = response.body.getReader();
    let received = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(out) {
        let idleTimer: NodeJS.Timeout | undefined;
        const stalled =
          limits.idleMs === undefined
            ? undefined
            : new Promise<never>((_, reject) => (idleTimer = setTimeout(() => reject(new ShenbiError('ENGINE_TIMEOUT', `${host}: the answer stalled for ${limits.idleMs} ms`)), limits.idleMs)));
        try {
          const next = await (stalled === undefined ? reader.read() : Promise.race([reader.read(), stalled]));
          if (next.done) return out.close();
          received += next.value.byteLength;
          if (limits.maxBytes !== undefined && received > limits.maxBytes) throw tooLarge();
          out.enqueue(next.value);
        } catch (error) {
          controller.abort(error); // closes the connection
          void reader.cancel(error).catch(() => {});
          throw error;
        } finally {
          clearTimeout(idleTimer);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function hostOf(input: Parameters<typeof fetch>[0]): string {
  try {
    return new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).host;
  } catch {
    return 'the provider';
  }
}
