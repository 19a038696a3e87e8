import type { EmbeddingModel } from 'ai';
import { ShenbiError } from '../core/errors.ts';
import { createLlamaCppProvider, type LlamaCppProvider } from '../engines/llama-cpp/provider.ts';
import { PROVIDER_PRESETS } from '../engines/providers/index.ts';
import { createTextModelResolver } from '../pipelines/steps/text/default-resolver.ts';
import type { ResolvedTextModel, TextModelResolver } from '../pipelines/steps/text/model-resolver.ts';
import type { Shenbi } from '../shenbi.ts';

/** Text and embedding models for the OpenAI-compatible routes, resolved the way text steps resolve them. */
export interface TextModels {
  language(name: string | undefined): Promise<ResolvedTextModel>;
  /** Local GGUF models only (llama.cpp embeddings). */
  embedding(name: string | undefined): Promise<{ model: EmbeddingModel; name: string }>;
  /** `provider:model` names configured for this server (presets with an API key set, and config providers). */
  providerNames(): string[];
  close(): Promise<void>;
}

/**
 * Built from Shenbi's config and model manager. It starts its own llama.cpp pool on first use
 * (Shenbi keeps its pool private); a model used by both is loaded twice until Shenbi shares it.
 */
export function createTextModels(shenbi: Shenbi, env: NodeJS.ProcessEnv = process.env): TextModels {
  const { config, models } = shenbi;
  let llama: LlamaCppProvider | undefined;
  const provider = () =>
    (llama ??= createLlamaCppProvider({
      threads: config.llama.threads,
      sequences: config.llama.sequences,
      idleUnloadMs: config.llama.idleUnloadSeconds * 1000,
      ...(config.llama.memoryBudgetMb === null ? {} : { memoryBudgetBytes: config.llama.memoryBudgetMb * 1024 * 1024 }),
    }));
  const resolve: TextModelResolver = createTextModelResolver({ models, llama: provider, providers: config.providers, defaultModel: config.defaultTextModel, env });
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
      await llama?.close();
      llama = undefined;
    },
  };
}
