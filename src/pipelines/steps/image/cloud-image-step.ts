import type { ImageModelV3 } from '@ai-sdk/provider';
import { generateImage } from 'ai';
import { loadSharp } from '../../../media/load-sharp.ts';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { present } from '../present-inputs.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { toProviderError } from '../../../engines/providers/index.ts';
import { imageCallOptions, imageProviderFamily } from '../../../engines/providers/image-call-options.ts';
import { sharpErrorGist } from '../../../engines/image-ops/sharp-error.ts';

const inputSchema = z.object({
  prompt: z.string().min(1).max(32_000),
  model: z.string().min(1).describe('provider:model, e.g. openai:gpt-image-1'),
  negativePrompt: z.string().max(10_000).optional(),
  width: z.number().int().min(64).max(4096).default(1024),
  height: z.number().int().min(64).max(4096).default(1024),
  aspectRatio: z.string().regex(/^\d{1,2}:\d{1,2}$/).optional().describe('W:H, for providers that take a ratio rather than a size'),
  steps: z.number().int().min(1).max(200).optional(),
  guidance: z.number().min(0).max(50).optional(),
  count: z.number().int().min(1).max(8).default(1),
  seed: z.number().int().min(0).optional(),
  format: z.enum(['png', 'jpeg', 'webp']).default('png'),
  originalPrompt: z.string().max(32_000).optional().describe('The prompt as the user wrote it, before translation (kept in provenance).'),
});

/**
 * Text-to-image on a cloud or self-hosted model through the AI SDK's image interface. Every
 * returned image is checked (decodable, under the pixel limit) and re-encoded in the asked
 * format before it becomes an artifact, so nothing unreadable or oversized is stored.
 */
export function cloudImageStep(resolve: (spec: string) => ImageModelV3): StepDefinition {
  return {
    type: 'image.cloud',
    title: 'Generate images (cloud)',
    version: '2',
    engine: 'cloud-image',
    inputs: inputPorts(inputSchema),
    outputs: { images: { type: 'json' } },
    async run(ctx, inputs) {
      const sharp = await loadSharp();
      const input = parseOrThrow(inputSchema, present(inputs), 'image.cloud input');
      let result;
      let ignored: string[] = [];
      try {
        const model = resolve(input.model);
        const call = imageCallOptions(imageProviderFamily(model), {
          width: input.width,
          height: input.height,
          aspectRatio: input.aspectRatio as `${number}:${number}` | undefined,
          negativePrompt: input.negativePrompt,
          steps: input.steps,
          guidance: input.guidance,
        });
        ignored = call.ignored;
        result = await generateImage({
          model,
          prompt: input.prompt,
          n: input.count,
          ...(call.size ? { size: call.size } : {}),
          ...(call.aspectRatio ? { aspectRatio: call.aspectRatio } : {}),
          ...(input.seed === undefined ? {} : { seed: input.seed }),
          providerOptions: call.providerOptions,
          abortSignal: ctx.signal,
          maxRetries: 0,
        });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error instanceof ShenbiError ? error : toProviderError(error, input.model), 'ENGINE_FAILED');
      }
      const ids: string[] = [];
      for (const [i, image] of result.images.entries()) {
        let bytes: Buffer;
        try {
          bytes = await sharp(image.uint8Array, { limitInputPixels: 50_000_000 }).toFormat(input.format).toBuffer();
        } catch (error) {
          throw new ShenbiError('PROVIDER_REJECTED', `${input.model} returned image ${i + 1} that cannot be decoded: ${sharpErrorGist(error)}`, { cause: error });
        }
        const artifact = await ctx.writeArtifact({
          kind: 'image',
          mimeType: `image/${input.format}`,
          bytes,
          name: `image-${i + 1}.${input.format}`,
          engine: { id: `cloud:${input.model.split(':')[0]}`, version: 'ai-sdk' },
          model: { name: input.model, sha256: null },
          parameters: { width: input.width, height: input.height, aspectRatio: input.aspectRatio ?? null, negativePrompt: input.negativePrompt ?? null, ignoredByProvider: ignored },
          seed: input.seed === undefined ? null : input.seed + i,
        });
        ids.push(artifact.id);
      }
      return { images: ids };
    },
  };
}
