import { z } from 'zod';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { present } from '../present-inputs.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { composePoster, cropImage, IMAGE_OPS_ENGINE_INFO, resizeImage, thumbnailImage, upscaleImage, type EncodedImage } from '../../../engines/image-ops/index.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';

export const IMAGE_OPERATIONS = ['resize', 'crop', 'upscale', 'thumbnail', 'poster'] as const;

const side = z.number().int().min(1).max(16_384);
const inputSchema = z.object({
  operation: z.enum(IMAGE_OPERATIONS),
  image: z.string().min(1).describe('An image artifact id, a file path or a public URL.'),
  width: side.optional(),
  height: side.optional(),
  fit: z.enum(['cover', 'contain', 'fill', 'inside', 'outside']).optional().describe('resize: cover | contain | fill | inside | outside'),
  box: z.object({ left: z.number().int().min(0), top: z.number().int().min(0), width: side, height: side }).strict().optional().describe('crop: { left, top, width, height }'),
  strategy: z.enum(['attention', 'entropy', 'centre']).optional().describe('crop without a box: attention | entropy | centre'),
  factor: z.union([z.literal(2), z.literal(4)]).optional().describe('upscale: 2 or 4'),
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
    inputs: inputPorts(inputSchema),
    outputs: { image: { type: 'artifact' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'image.edit input');
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
