import type { EngineInfo } from '../engine-info.ts';
import { LlamaCppEmbeddingModel } from './embedding-model.ts';
import { LlamaCppLanguageModel } from './language-model.ts';
import { ModelPool, type ModelPoolOptions } from './model-pool.ts';

export const LLAMA_CPP_ENGINE_INFO: EngineInfo = {
  id: 'llama-cpp',
  version: '3.21.1',
  tasks: [],
  local: true,
  license: 'MIT',
  description: 'Local GGUF text generation through node-llama-cpp (CPU).',
};

export interface LlamaCppProvider {
  languageModel(path: string): LlamaCppLanguageModel;
  embeddingModel(path: string): LlamaCppEmbeddingModel;
  readonly pool: ModelPool;
  close(): Promise<void>;
}

export function createLlamaCppProvider(options: ModelPoolOptions = {}): LlamaCppProvider {
  const pool = new ModelPool(options);
  return {
    pool,
    languageModel: (path) => new LlamaCppLanguageModel(path, pool),
    embeddingModel: (path) => new LlamaCppEmbeddingModel(path, pool),
    close: () => pool.close(),
  };
}
