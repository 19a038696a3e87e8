import { z } from 'zod';
import { dimension, generationSizeIssues, mediaRef, modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const imageTask = defineTask({
  kind: 'image',
  title: 'Image',
  description: 'Text-to-image, prompt expansion, covers and posters, and picture operations (resize, crop, upscale, thumbnail, poster).',
  primaryField: 'prompt',
  outputs: ['image'],
  input: z
    .object({
      /** Required, except for the picture operations that take no text (resize, crop, upscale, thumbnail). A poster's title. */
      prompt: prompt.optional(),
      negativePrompt: z.string().max(10_000).optional(),
      /** Default: what the engine is made for (local diffusion 512, cloud 1024, card 1080×1440). */
      width: dimension.optional(),
      height: dimension.optional(),
      count: z.number().int().min(1).max(8).default(1),
      steps: z.number().int().min(1).max(200).optional(),
      guidance: z.number().min(0).max(50).optional(),
      /** A preset name (photo, anime, ink-wash / 水墨, oil, poster, pixel, …) or free words appended to the prompt. */
      style: z.string().max(200).optional(),
      /** Cloud providers that take a ratio rather than a size (e.g. "16:9"). */
      aspectRatio: z.string().regex(/^\d{1,2}:\d{1,2}$/, 'a ratio such as "16:9"').optional(),
      /** For English-only models (local diffusion, ComfyUI, AUTOMATIC1111): rewrite a Chinese prompt in English with the text model first. Default: on for those models when the prompt has CJK. */
      translatePrompt: z.boolean().optional(),
      /** A picture operation on `image` instead of generation. */
      operation: z.enum(['resize', 'crop', 'upscale', 'thumbnail', 'poster']).optional(),
      fit: z.enum(['cover', 'contain', 'fill', 'inside', 'outside']).optional(),
      box: z.object({ left: z.number().int().min(0), top: z.number().int().min(0), width: z.number().int().min(1), height: z.number().int().min(1) }).strict().optional(),
      strategy: z.enum(['attention', 'entropy', 'centre']).optional(),
      factor: z.union([z.literal(2), z.literal(4)]).optional(),
      subtitle: z.string().max(500).optional(),
      format: z.enum(['png', 'jpeg', 'webp']).default('png'),
      seed,
      model: modelName,
      /** Image-to-image (local diffusion): the picture to start from, and how much of it to re-imagine. */
      image: mediaRef.optional(),
      strength: z.number().gt(0).max(1).optional(),
      /** Local diffusion sampler; default: what the model folder names. */
      scheduler: z.enum(['euler', 'lcm']).optional(),
    })
    .strict()
    .refine((v) => v.prompt !== undefined || (v.operation !== undefined && v.operation !== 'poster'), { message: 'a prompt is required (a poster\'s title)', path: ['prompt'] })
    .refine((v) => v.operation === undefined || v.image !== undefined, { message: 'an operation needs an input image', path: ['image'] })
    // Size rules of generation only; `when` runs it even when other fields failed, so every bad path is reported at once.
    .superRefine((v, ctx) => {
      if (v.operation !== undefined) return;
      for (const issue of generationSizeIssues(v)) ctx.addIssue({ code: 'custom', input: v, ...issue });
    }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null && (payload.value as { operation?: unknown }).operation === undefined }),
});
