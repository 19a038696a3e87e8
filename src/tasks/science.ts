import { z } from 'zod';
import { modelName, prompt, seed } from './common-fields.ts';
import { defineTask } from './task-definition.ts';

export const scienceTask = defineTask({
  kind: 'science',
  title: 'Science',
  description: 'Minerva-style step-by-step answers in LaTeX, the final answer checked by a computer-algebra system.',
  primaryField: 'question',
  outputs: ['text', 'json'],
  input: z
    .object({
      question: prompt,
      showSteps: z.boolean().default(true),
      /** A mathjs expression the final answer must equal, e.g. "integrate(...)" results or "sqrt(2)/2". */
      check: z.union([z.string().min(1).max(10_000), z.number()]).transform(String).optional(),
      seed,
      model: modelName,
    })
    .strict(),
});
