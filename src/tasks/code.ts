import { z } from 'zod';
import { SANDBOX_LIMITS, sandboxBudgetProblem, sandboxTimeoutMs } from '../engines/quickjs-sandbox/sandbox-limits.ts';
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
        .max(SANDBOX_LIMITS.maxExamples)
        .default([]),
      samples: z.number().int().min(1).max(SANDBOX_LIMITS.maxSamples).default(8),
      /** Per run: one candidate on one example. */
      timeoutMs: sandboxTimeoutMs.default(SANDBOX_LIMITS.defaultTimeoutMs),
      seed,
      model: modelName,
    })
    .strict()
    .superRefine((input, ctx) => {
      // Every sample may run on every example for its whole timeout: bound the worst case.
      const problem = sandboxBudgetProblem(input.examples.length * input.samples, input.timeoutMs);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['timeoutMs'] });
    }),
});
