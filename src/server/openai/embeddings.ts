import { embedMany } from 'ai';
import { z } from 'zod';
import { toShenbiError } from '../../core/errors.ts';
import type { ServerServices } from '../context.ts';
import { readJsonBody } from '../middleware/json-body.ts';
import { COMPLETION_OVERHEAD_TOKENS, textTokenBound } from '../quota/estimates.ts';
import type { RouteBook } from '../route-book.ts';

export const embeddingRequestSchema = z
  .object({
    model: z.string().min(1).max(200),
    input: z.union([z.string().min(1).max(100_000), z.array(z.string().min(1).max(100_000)).min(1).max(2048)]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().max(256).optional(),
  })
  .strict();

/** float32 little-endian, base64: what OpenAI clients decode (the openai npm client asks for it by default). */
function base64Floats(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

export function registerEmbeddingRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'post', path: '/v1/embeddings', summary: 'OpenAI embeddings from a local GGUF model.', tag: 'openai', scope: 'generate', body: embeddingRequestSchema }, async (c) => {
    const body = await readJsonBody(c, embeddingRequestSchema);
    const values = Array.isArray(body.input) ? body.input : [body.input];
    const { model, name } = await services.text.embedding(body.model);
    // The inputs' size bounds their tokens: reserve that, settle to what the model counted.
    const hold = await services.quotas.hold(c.get('principal'), { tokens: values.reduce((n, v) => n + textTokenBound(v) + COMPLETION_OVERHEAD_TOKENS, 0), mediaMs: 0 }, 'embedding');
    const result = await embedMany({ model, values, abortSignal: c.req.raw.signal, maxRetries: 0 }).catch(async (error: unknown) => {
      await hold.release();
      throw toShenbiError(error, 'ENGINE_FAILED');
    });
    const tokens = result.usage.tokens ?? 0;
    await hold.settle({ tokens, mediaMs: 0 });
    return c.json({
      object: 'list',
      model: name,
      data: result.embeddings.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: body.encoding_format === 'base64' ? base64Floats(body.dimensions ? vector.slice(0, body.dimensions) : vector) : body.dimensions ? vector.slice(0, body.dimensions) : vector,
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });
}
