import type { EmbeddingModel } from 'ai';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ShenbiConfig } from '../../../config/schema.ts';
import { ShenbiError } from '../../../core/errors.ts';
import type { LlamaCppProvider } from '../../../engines/llama-cpp/provider.ts';
import { PROVIDER_PRESETS } from '../../../engines/providers/index.ts';
import type { ModelManager } from '../../../models/index.ts';
import { createTextModelResolver } from './default-resolver.ts';
import type { ResolvedTextModel, TextModelResolver } from './model-resolver.ts';

/** Text and embedding models for the OpenAI-compatible routes, resolved the way text steps resolve them. */
export interface TextModels {
  language(name: string | undefined): Promise<ResolvedTextModel>;
  /** Local GGUF models only (llama.cpp embeddings). */
  embedding(name: string | undefined): Promise<{ model: EmbeddingModel; name: string }>;
  /** `provider:model` names configured for this server (presets with an API key set, and config providers). */
  providerNames(): string[];
  close(): Promise<void>;
}

export interface TextModelsOptions {
  config: Pick<ShenbiConfig, 'providers' | 'defaultTextModel'>;
  models: ModelManager;
  /** The one llama.cpp pool of the process, created on first use. */
  llama: () => LlamaCppProvider;
  /** Applied to every language model handed out (content moderation of streamed text). */
  wrap?: (model: LanguageModelV3) => LanguageModelV3;
  env?: NodeJS.ProcessEnv;
}

/**
 * Text and embedding models, resolved one way for steps and the HTTP API alike, on one shared
 * llama.cpp pool: a model loaded for a job serves /v1/chat/completions too. Closing the pool
 * is the owner's (Shenbi's) job.
 */
export function createTextModels({ config, models, llama, wrap, env = process.env }: TextModelsOptions): TextModels {
  const provider = llama;
  const resolve: TextModelResolver = createTextModelResolver({ models, llama: provider, providers: config.providers, defaultModel: config.defaultTextModel, env, ...(wrap ? { wrap } : {}) });
  return {
    language: resolve,
    async embedding(name) {
      const wanted = name ?? config.defaultTextModel;
      if (wanted.includes(':')) {
        throw new ShenbiError('ENGINE_UNAVAILABLE', `Embeddings are served by local models only; "${wanted}" is a cloud model.`, { hint: 'Give the name of an installed GGUF model (see GET /v1/models).' });
      }
      const resolved = await models.resolve(wanted);
      return { model: provider().embeddingModel(resolved.path), name: resolved.name };
    },
    providerNames() {
      // A preset counts as configured once its API key is set; config providers always do.
      const presets = PROVIDER_PRESETS.filter((p) => p.apiKeyEnv !== undefined && (env[p.apiKeyEnv] ?? '') !== '');
      const names = [...presets, ...config.providers].flatMap((p) => (p.defaultModel === undefined ? [] : [`${p.name}:${p.defaultModel}`]));
      return [...new Set(names)];
    },
    async close() {
      // The pool belongs to whoever passed `llama` in.
    },
  };
}
