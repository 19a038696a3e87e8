import { z } from 'zod';
import { modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const model3dTask = defineTask({
  kind: '3d',
  title: '3D model',
  description: 'Text-to-3D as glTF/GLB.',
  primaryField: 'prompt',
  outputs: ['model3d'],
  input: z
    .object({
      prompt,
      format: z.enum(['glb', 'gltf']).default('glb'),
      detail: z.enum(['low', 'medium', 'high']).default('medium'),
      seed,
      model: modelName,
    })
    .strict(),
});
