import type { LanguageModelV3 } from '@ai-sdk/provider';
import { ShenbiError } from '../../../core/errors.ts';
import { LLAMA_CPP_ENGINE_INFO, type LlamaCppProvider } from '../../../engines/llama-cpp/provider.ts';
import { PROVIDER_PRESETS, providerModel, withErrorMapping, withRetry, withTimeout, type ProviderConfig } from '../../../engines/providers/index.ts';
import type { ModelManager } from '../../../models/index.ts';
import type { TextModelResolver } from './model-resolver.ts';

export interface TextModelResolverOptions {
  models: ModelManager;
  /** Created on first use: loading node-llama-cpp costs time a cloud-only run should not pay. */
  llama: () => LlamaCppProvider;
  providers: ProviderConfig[];
  defaultModel: string;
  /** Per-request limit for cloud calls. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Applied to every model returned (e.g. moderation of streamed text). */
  wrap?: (model: LanguageModelV3) => LanguageModelV3;
}

/**
 * `provider:model` (e.g. `openai:gpt-4o-mini`, `qwen:qwen-plus`) → a cloud model with
 * retries, a timeout and error mapping; anything else → an installed local GGUF model.
 * Model names cannot contain ':', so the two never collide.
 */
export function createTextModelResolver(options: TextModelResolverOptions): TextModelResolver {
  const known = new Set([...PROVIDER_PRESETS, ...options.providers].map((p) => p.name));
  return async (requested) => {
    const name = requested ?? options.defaultModel;
    const colon = name.indexOf(':');
    if (colon > 0) {
      const provider = name.slice(0, colon);
      if (!known.has(provider)) {
        throw new ShenbiError('MODEL_NOT_FOUND', `Unknown provider "${provider}" in "${name}". Known providers: ${[...known].join(', ')}.`);
      }
      const base = providerModel(name, { providers: options.providers, ...(options.env ? { env: options.env } : {}) });
      const model = withErrorMapping(withRetry(withTimeout(base, options.timeoutMs ?? 120_000)));
      return { model: options.wrap ? options.wrap(model) : model, name, sha256: null, engine: { id: `provider:${provider}`, version: 'ai-sdk-6' } };
    }
    const resolved = await options.models.resolve(name);
    return {
      model: options.wrap ? options.wrap(options.llama().languageModel(resolved.path)) : options.llama().languageModel(resolved.path),
      name: resolved.name,
      sha256: resolved.sha256,
      engine: { id: LLAMA_CPP_ENGINE_INFO.id, version: LLAMA_CPP_ENGINE_INFO.version },
    };
  };
}
