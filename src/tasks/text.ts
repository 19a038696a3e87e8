import { z } from 'zod';
import { modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

/** How text is generated, shared by the task and the `text.generate` step that runs it. */
export const textGenerationFields = {
  mode: z.enum(['chat', 'complete', 'rewrite', 'continue', 'expand']).default('chat'),
  system: z.string().max(100_000).optional(),
  style: z.string().max(200).optional(),
  maxTokens: z.number().int().min(1).max(131_072).default(512),
  temperature: z.number().min(0).max(2).default(0.7),
  topP: z.number().gt(0).max(1).default(1),
  stop: z.array(z.string().min(1)).max(16).optional(),
  /** JSON Schema the output must satisfy. */
  schema: z.record(z.string(), z.unknown()).optional(),
};

export const textTask = defineTask({
  kind: 'text',
  title: 'Text',
  description: 'Chat, completion, rewrite/continue/expand with style presets, structured (JSON-schema) output.',
  primaryField: 'prompt',
  outputs: ['text', 'json'],
  input: z
    .object({
      prompt,
      ...textGenerationFields,
      /** mode "expand": how many different descriptions, and which engine they are written for. */
      count: z.number().int().min(1).max(8).optional(),
      target: z.enum(['image', 'video', 'motion', 'music', 'general']).optional(),
      seed,
      model: modelName,
    })
    .strict(),
});
