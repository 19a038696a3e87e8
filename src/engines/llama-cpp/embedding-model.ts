import type { EmbeddingModelV3, EmbeddingModelV3CallOptions, EmbeddingModelV3Result } from '@ai-sdk/provider';
import type { ModelPool } from './model-pool.ts';

/** Embeddings from the pooled model; one embedding context per model, kept while the model is loaded. */
export class LlamaCppEmbeddingModel implements EmbeddingModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'shenbi.llama-cpp';
  readonly maxEmbeddingsPerCall = 64;
  readonly supportsParallelCalls = true;

  constructor(
    readonly modelId: string,
    private readonly pool: ModelPool,
  ) {}

  async doEmbed(options: EmbeddingModelV3CallOptions): Promise<EmbeddingModelV3Result> {
    return this.pool.use(this.modelId, async (pooled) => {
      const { model } = pooled;
      const context = await pooled.embeddingContext();
      const embeddings: number[][] = [];
      let tokens = 0;
      for (const value of options.values) {
        options.abortSignal?.throwIfAborted();
        tokens += model.tokenize(value).length;
        embeddings.push([...(await context.getEmbeddingFor(value)).vector]);
      }
      return { embeddings, usage: { tokens }, warnings: [] };
    });
  }
}
