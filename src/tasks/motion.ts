import { z } from 'zod';
import { durationSec, modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const motionTask = defineTask({
  kind: 'motion',
  title: 'Motion',
  description: 'Text-to-motion (Action-GPT style expansion first) as BVH or GLB skeleton animation.',
  primaryField: 'prompt',
  outputs: ['motion', 'model3d'],
  input: z
    .object({
      prompt,
      durationSec: durationSec(120).default(5),
      fps: z.number().int().min(1).max(120).default(30),
      format: z.enum(['bvh', 'glb']).default('bvh'),
      /** Let a language model expand the action phrase into detailed descriptions first. */
      expand: z.boolean().default(true),
      seed,
      model: modelName,
    })
    .strict(),
});
