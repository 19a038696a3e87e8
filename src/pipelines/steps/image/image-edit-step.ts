import { z } from 'zod';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { composePoster, cropImage, IMAGE_OPS_ENGINE_INFO, resizeImage, thumbnailImage, upscaleImage, type EncodedImage } from '../../../engines/image-ops/index.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';

export const IMAGE_OPERATIONS = ['resize', 'crop', 'upscale', 'thumbnail', 'poster'] as const;

const side = z.number().int().min(1).max(16_384);
const inputSchema = z.object({
  operation: z.enum(IMAGE_OPERATIONS),
  image: z.string().min(1),
  width: side.optional(),
  height: side.optional(),
  fit: z.enum(['cover', 'contain', 'fill', 'inside', 'outside']).optional(),
  box: z.object({ left: z.number().int().min(0), top: z.number().int().min(0), width: side, height: side }).strict().optional(),
  strategy: z.enum(['attention', 'entropy', 'centre']).optional(),
  factor: z.union([z.literal(2), z.literal(4)]).optional(),
  title: z.string().max(200).optional(),
  subtitle: z.string().max(500).optional(),
  format: z.enum(['png', 'jpeg', 'webp']).optional(),
});
type EditInput = z.infer<typeof inputSchema>;

async function apply(input: EditInput, bytes: Buffer): Promise<EncodedImage> {
  const format = input.format;
  switch (input.operation) {
    case 'resize':
      return resizeImage(bytes, { width: input.width, height: input.height, fit: input.fit, format });
    case 'crop':
      return cropImage(bytes, { box: input.box, width: input.width, height: input.height, strategy: input.strategy, format });
    case 'upscale':
      return upscaleImage(bytes, { factor: input.factor ?? 2, format });
    case 'thumbnail':
      return thumbnailImage(bytes, input.width ?? 256, format ?? 'webp');
    case 'poster':
      return composePoster({ picture: bytes, title: input.title ?? '', subtitle: input.subtitle, width: input.width, height: input.height, format });
  }
}

/**
 * Image operations on a user picture (artifact, file in the media roots, or public URL):
 * resize, crop, upscale, thumbnail, poster. The result is a new artifact whose parent is
 * the input artifact, when there is one.
 */
export function imageEditStep(media: MediaPolicy): StepDefinition {
  return {
    type: 'image.edit',
    title: 'Edit an image (resize, crop, upscale, thumbnail, poster)',
    version: '1',
    engine: 'image-ops',
    inputs: {
      operation: { type: 'string', description: IMAGE_OPERATIONS.join(' | ') },
      image: { type: 'string', description: 'An image artifact id, a file path or a public URL.' },
      width: { type: 'integer', optional: true },
      height: { type: 'integer', optional: true },
      fit: { type: 'string', optional: true, description: 'resize: cover | contain | fill | inside | outside' },
      box: { type: 'json', optional: true, description: 'crop: { left, top, width, height }' },
      strategy: { type: 'string', optional: true, description: 'crop without a box: attention | entropy | centre' },
      factor: { type: 'integer', optional: true, description: 'upscale: 2 or 4' },
      title: { type: 'string', optional: true },
      subtitle: { type: 'string', optional: true },
      format: { type: 'string', optional: true },
    },
    outputs: { image: { type: 'artifact' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined && v !== null)), 'image.edit input');
      const { bytes, parents } = await readMediaInput(ctx, input.image, media, 'image');
      ctx.progress({ fraction: 0.2, message: input.operation });
      const out = await apply(input, bytes);
      const { image: _image, ...parameters } = input;
      const artifact = await ctx.writeArtifact({
        kind: 'image',
        mimeType: `image/${out.format}`,
        bytes: out.bytes,
        name: `${input.operation}.${out.format}`,
        parents,
        engine: { id: IMAGE_OPS_ENGINE_INFO.id, version: IMAGE_OPS_ENGINE_INFO.version },
        parameters: { ...parameters, outputWidth: out.width, outputHeight: out.height },
      });
      return { image: artifact.id };
    },
  };
}
