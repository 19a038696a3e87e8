import { z } from 'zod';
import { SANDBOX_LIMITS, sandboxBudgetProblem, sandboxTimeoutMs } from '../engines/quickjs-sandbox/sandbox-limits.ts';
import { modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

const EXAMPLES_NEEDED = 'required: at least one example to test the programs against, e.g. --set examples=\'[{"input":[2,3],"output":5}]\' (input: the argument list; output: the expected result)';

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
      /** Required: candidates are kept only when they pass these, so without one nothing can be tested. */
      examples: z
        .array(z.object({ input: z.unknown(), output: z.unknown() }).strict(), { error: (issue) => (issue.input === undefined ? EXAMPLES_NEEDED : undefined) })
        .min(1, EXAMPLES_NEEDED)
        .max(SANDBOX_LIMITS.maxExamples),
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
