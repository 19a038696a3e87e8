import { z } from 'zod';
import { modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const codeTask = defineTask({
  kind: 'code',
  title: 'Code',
  description: 'AlphaCode-style: sample many programs, run each against the examples in a sandbox, keep what passes.',
  primaryField: 'prompt',
  outputs: ['code', 'json'],
  input: z
    .object({
      prompt,
      language: z.enum(['javascript', 'typescript', 'python']).default('javascript'),
      examples: z
        .array(z.object({ input: z.unknown(), output: z.unknown() }).strict())
        .max(100)
        .default([]),
      samples: z.number().int().min(1).max(64).default(8),
      timeoutMs: z.number().int().min(10).max(60_000).default(1_000),
      seed,
      model: modelName,
    })
    .strict(),
});
