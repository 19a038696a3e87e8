import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSharp } from '../../../media/load-sharp.ts';
import { z } from 'zod';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { present } from '../present-inputs.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { DIFFUSION_ENGINE_INFO, generateDiffusionImage } from '../../../engines/diffusion/index.ts';
import { seedFromText } from '../../../engines/seeded-random.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import type { DiffusionModelResolver } from './diffusion-model-dir.ts';

const inputSchema = z.object({
  prompt: z.string().min(1).max(10_000),
  model: z.string().min(1).describe('An installed diffusion model name or an ONNX export folder (SD-Turbo, LCM).'),
  negativePrompt: z.string().max(10_000).optional(),
  width: z.number().int().default(512),
  height: z.number().int().default(512),
  count: z.number().int().min(1).max(8).default(1),
  steps: z.number().int().min(1).max(50).optional(),
  guidance: z.number().min(0).max(30).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  scheduler: z.enum(['euler', 'lcm']).optional(),
  image: z.string().min(1).optional().describe('Init image for image-to-image: an artifact id or a file path.'),
  strength: z.number().gt(0).max(1).optional(),
  format: z.enum(['png', 'jpeg', 'webp']).default('png'),
  originalPrompt: z.string().max(32_000).optional().describe('The prompt as the user wrote it, before translation (kept in provenance).'),
});

/**
 * Text-to-image (and image-to-image with `image` + `strength`) on a local Stable-Diffusion-family
 * ONNX model, on CPU. Without a seed one is derived from the prompt, so the step stays
 * reproducible and cacheable; image i of `count` uses seed + i.
 */
export function diffusionStep(resolveModel: DiffusionModelResolver, media: MediaPolicy): StepDefinition {
  return {
    type: 'image.diffusion',
    title: 'Generate images (local diffusion)',
    version: '1',
    engine: 'diffusion',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: { images: { type: 'json' } },
    async cacheSalt(inputs, caller) {
      // A re-exported model in the same folder must not hit old cache entries.
      const { dir } = await resolveModel(String(inputs.model), caller);
      const parts = await Promise.all(['text_encoder', 'unet', 'vae_decoder'].map((p) => stat(join(dir, p, 'model.onnx')).then((s) => [s.size, s.mtimeMs]).catch(() => null)));
      return { dir, parts };
    },
    async run(ctx, inputs) {
      const sharp = await loadSharp();
      const input = parseOrThrow(inputSchema, present(inputs), 'image.diffusion input');
      const model = await resolveModel(input.model, ctx.caller);
      const init = input.image === undefined ? undefined : await readMediaInput(ctx, input.image, media, 'image');
      const seed = input.seed ?? seedFromText(`${input.prompt}\u0000${input.negativePrompt ?? ''}`);
      const ids: string[] = [];
      for (let i = 0; i < input.count; i++) {
        const result = await generateDiffusionImage(
          {
            modelDir: model.dir,
            prompt: input.prompt,
            width: input.width,
            height: input.height,
            seed: (seed + i) >>> 0,
            ...(input.negativePrompt === undefined ? {} : { negativePrompt: input.negativePrompt }),
            ...(input.steps === undefined ? {} : { steps: input.steps }),
            ...(input.guidance === undefined ? {} : { guidanceScale: input.guidance }),
            ...(input.scheduler === undefined ? {} : { scheduler: input.scheduler }),
            ...(init === undefined ? {} : { initImage: init.bytes, ...(input.strength === undefined ? {} : { strength: input.strength }) }),
          },
          {
            signal: ctx.signal,
            onProgress: (p) => ctx.progress({ fraction: (i + p.step / p.total) / input.count, message: `image ${i + 1}/${input.count}: step ${p.step}/${p.total}` }),
          },
        );
        const bytes = input.format === 'png' ? result.png : await sharp(result.png).toFormat(input.format).toBuffer();
        const artifact = await ctx.writeArtifact({
          kind: 'image',
          mimeType: `image/${input.format}`,
          bytes,
          name: `image-${i + 1}.${input.format}`,
          ...(init === undefined ? {} : { parents: init.parents }),
          engine: { id: DIFFUSION_ENGINE_INFO.id, version: DIFFUSION_ENGINE_INFO.version },
          model: { name: model.name, sha256: null },
          parameters: {
            width: result.width,
            height: result.height,
            steps: result.steps,
            scheduler: result.scheduler,
            guidance: result.guidanceScale,
            negativePrompt: input.negativePrompt ?? null,
            promptTruncated: result.truncated,
            ...(init === undefined ? {} : { strength: input.strength ?? 0.5 }),
          },
          seed: result.seed,
        });
        ids.push(artifact.id);
      }
      return { images: ids };
    },
  };
}
