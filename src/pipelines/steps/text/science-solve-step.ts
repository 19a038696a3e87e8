import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { modelName, prompt, seed } from '../../../tasks/common-fields.ts';
import { present } from '../present-inputs.ts';
import { modelCacheSalt, type TextModelResolver } from './model-resolver.ts';

const inputSchema = z.object({
  question: prompt,
  check: z.string().min(1).max(10_000).optional().describe('A mathjs expression whose value the answer must equal.'),
  seed,
  model: modelName,
});

/** Minerva style: a step-by-step LaTeX solution whose boxed answer is checked with mathjs. */
export function scienceSolveStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'science.solve',
    title: 'Solve and check',
    description: 'Step-by-step LaTeX solution; the final answer is checked by a computer-algebra system.',
    version: '2',
    engine: 'text',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: {
      solution: { type: 'artifact' },
      page: { type: 'artifact', description: 'The solution as HTML with the maths typeset (KaTeX → MathML).' },
      answer: { type: 'string' },
      status: { type: 'string' },
    },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      // mathjs (a thousand modules) and KaTeX load on the first solve, not with every CLI start.
      const [{ solveMath }, { renderMathHtml }] = await Promise.all([import('../../../engines/math-check/index.ts'), import('../../../engines/math-check/render-html.ts')]);
      const input = parseOrThrow(inputSchema, present(inputs), 'science.solve input');
      const resolved = await resolveModel(input.model);
      ctx.progress({ fraction: 0.1, message: 'solving' });
      let result;
      try {
        result = await solveMath(
          resolved.model,
          { question: input.question, ...(input.check === undefined ? {} : { check: input.check }) },
          ctx.signal,
        );
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const flag = result.check.status === 'mismatch' ? '\n\n> ⚠ The final answer did not pass the computer-algebra check.' : '';
      const markdown = `${result.latex}\n\n**Answer:** $${result.answer ?? '?'}$ — check: ${result.check.status} (${result.check.detail})${flag}\n`;
      const solution = await ctx.writeArtifact({
        kind: 'text',
        mimeType: 'text/markdown; charset=utf-8',
        bytes: Buffer.from(markdown, 'utf8'),
        name: 'solution.md',
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters: { check: input.check ?? null, status: result.check.status },
        seed: input.seed ?? null,
      });
      const page = await ctx.writeArtifact({
        kind: 'text',
        mimeType: 'text/html; charset=utf-8',
        bytes: Buffer.from(renderMathHtml(markdown, input.question.slice(0, 120)), 'utf8'),
        name: 'solution.html',
        parents: [solution.id],
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters: { check: input.check ?? null, status: result.check.status },
        seed: input.seed ?? null,
      });
      return { solution: solution.id, page: page.id, answer: result.answer ?? '', status: result.check.status };
    },
  };
}
