import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { APICallError } from '@ai-sdk/provider';
import { ShenbiError } from '../../core/errors.ts';
import { PRESET_START_HINTS, type ProviderConfig } from './config.ts';

/** Socket-level failures: nothing answered at the address (as opposed to an HTTP error status). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

function errnoCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether the call never reached a server: refused, reset, unresolvable, unroutable. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof ShenbiError) return false;
  if (APICallError.isInstance(error) && error.statusCode !== undefined) return false;
  return errnoCode(error) !== undefined || (error instanceof TypeError && /fetch failed/i.test(error.message));
}

/** PROVIDER_UNAVAILABLE (retryable) naming the provider, its base URL and what to start. */
export function unreachableProvider(config: ProviderConfig, modelId: string, error: unknown): ShenbiError {
  const reason = error instanceof Error ? error.message : String(error);
  const where = config.baseURL ?? `the ${config.name} API`;
  return new ShenbiError('PROVIDER_UNAVAILABLE', `${config.name}:${modelId}: cannot reach ${where} (${reason})`, {
    hint: PRESET_START_HINTS[config.name] ?? `Check that the "${config.name}" server at ${where} is running and reachable from this machine.`,
    details: { provider: config.name, model: modelId, baseURL: config.baseURL ?? null, ...(errnoCode(error) ? { errno: errnoCode(error) } : {}) },
    cause: error,
  });
}

/**
 * Turns "nothing answered" into a failure that says where and what to start, for calls and
 * for streams (whose errors the AI SDK would otherwise pass on as a bare error part).
 */
export function withUnreachableAsFailure(model: LanguageModelV3, config: ProviderConfig): LanguageModelV3 {
  const mapped = (error: unknown) => (isConnectionFailure(error) ? unreachableProvider(config, model.modelId, error) : error);
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: async (options) => {
      try {
        return await model.doGenerate(options);
      } catch (error) {
        throw options.abortSignal?.aborted ? error : mapped(error);
      }
    },
    doStream: async (options) => {
      let result;
      try {
        result = await model.doStream(options);
      } catch (error) {
        throw options.abortSignal?.aborted ? error : mapped(error);
      }
      const stream = result.stream.pipeThrough(
        new TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart>({
          transform: (part, controller) => controller.enqueue(part.type === 'error' ? { ...part, error: mapped(part.error) } : part),
        }),
      );
      return { ...result, stream };
    },
  };
}
