import { z } from 'zod';
import { dimension, mediaRef, modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const imageTask = defineTask({
  kind: 'image',
  title: 'Image',
  description: 'Text-to-image, prompt expansion, covers and posters.',
  primaryField: 'prompt',
  outputs: ['image'],
  input: z
    .object({
      prompt,
      negativePrompt: z.string().max(10_000).optional(),
      /** Default: what the engine is made for (local diffusion 512, cloud 1024, card 1080×1440). */
      width: dimension.optional(),
      height: dimension.optional(),
      count: z.number().int().min(1).max(8).default(1),
      steps: z.number().int().min(1).max(200).optional(),
      guidance: z.number().min(0).max(50).optional(),
      style: z.string().max(200).optional(),
      format: z.enum(['png', 'jpeg', 'webp']).default('png'),
      seed,
      model: modelName,
      /** Image-to-image (local diffusion): the picture to start from, and how much of it to re-imagine. */
      image: mediaRef.optional(),
      strength: z.number().gt(0).max(1).optional(),
      /** Local diffusion sampler; default: what the model folder names. */
      scheduler: z.enum(['euler', 'lcm']).optional(),
    })
    .strict(),
});
