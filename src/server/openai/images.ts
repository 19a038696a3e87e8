import { z } from 'zod';
import { pipelineForTask } from '../../pipelines/index.ts';
import type { ServerServices } from '../context.ts';
import { outputArtifactIds } from '../jobs-access.ts';
import { readJsonBody } from '../middleware/json-body.ts';
import type { RouteBook } from '../route-book.ts';
import { runOwnedJob } from './run-job.ts';

export const imageRequestSchema = z
  .object({
    prompt: z.string().trim().min(1).max(32_000),
    model: z.string().min(1).max(200).optional(),
    n: z.number().int().min(1).max(8).default(1),
    size: z.string().regex(/^\d{2,4}x\d{2,4}$/, 'WIDTHxHEIGHT, e.g. 1024x1024').default('1024x1024'),
    response_format: z.enum(['url', 'b64_json']).default('url'),
    output_format: z.enum(['png', 'jpeg', 'webp']).optional(),
    quality: z.string().max(20).optional(),
    style: z.string().max(200).optional(),
    seed: z.number().int().min(0).optional(),
    user: z.string().max(256).optional(),
  })
  .strict();

/** POST /v1/images/generations through the image task (cloud or self-hosted models), labeled like every artifact. */
export function registerImageRoutes(book: RouteBook, services: ServerServices): void {
  book.add({ method: 'post', path: '/v1/images/generations', summary: 'OpenAI image generation through the image task.', tag: 'openai', scope: 'generate', body: imageRequestSchema }, async (c) => {
    const body = await readJsonBody(c, imageRequestSchema);
    const [width, height] = body.size.split('x').map(Number) as [number, number];
    const input = { prompt: body.prompt, width, height, count: body.n, ...(body.model ? { model: body.model } : {}), ...(body.output_format ? { format: body.output_format } : {}), ...(body.style ? { style: body.style } : {}), ...(body.seed !== undefined ? { seed: body.seed } : {}) };
    const job = await runOwnedJob(c, services, pipelineForTask('image', input));
    const origin = new URL(c.req.url).origin;
    const data = await Promise.all(
      outputArtifactIds(job).map(async (id) => {
        if (body.response_format === 'url') return { url: `${origin}/api/artifacts/${id}`, revised_prompt: body.prompt };
        const { bytes } = await services.shenbi.store.artifacts.read(id);
        return { b64_json: bytes.toString('base64'), revised_prompt: body.prompt };
      }),
    );
    return c.json({ created: Math.floor(Date.now() / 1000), data });
  });
}
