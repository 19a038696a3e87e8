import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { sampleCode } from '../../../engines/code-sampler/index.ts';
import { SANDBOX_LIMITS, sandboxTimeoutMs } from '../../../engines/quickjs-sandbox/sandbox-limits.ts';
import { modelName, prompt, seed } from '../../../tasks/common-fields.ts';
import { present } from '../present-inputs.ts';
import { modelCacheSalt, type TextModelResolver } from './model-resolver.ts';

const inputSchema = z.object({
  prompt,
  language: z.string().max(40).default('javascript').describe('javascript: candidates are tested in a JavaScript sandbox.'),
  /** `input` is one argument, or the argument list when it is an array. */
  examples: z.array(z.object({ input: z.unknown(), output: z.unknown() })).max(SANDBOX_LIMITS.maxExamples).default([]),
  samples: z.number().int().min(1).max(SANDBOX_LIMITS.maxSamples).default(8),
  /** Per run: one candidate on one example. */
  timeoutMs: sandboxTimeoutMs.default(SANDBOX_LIMITS.defaultTimeoutMs),
  seed,
  model: modelName,
});

/**
 * AlphaCode style: sample K programs, run each against the user's examples in the QuickJS
 * sandbox, keep the best. Writes the winning program and the per-candidate report.
 */
export function codeGenerateStep(resolveModel: TextModelResolver): StepDefinition {
  return {
    type: 'code.generate',
    title: 'Generate code',
    description: 'Samples candidate programs, tests them against examples in a sandbox and keeps the best.',
    version: '1',
    engine: 'text',
    modelInput: 'model',
    inputs: inputPorts(inputSchema),
    outputs: {
      code: { type: 'artifact' },
      report: { type: 'artifact' },
      passed: { type: 'integer' },
      total: { type: 'integer' },
    },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'code.generate input');
      if (input.language !== 'javascript') {
        throw new ShenbiError('ENGINE_UNAVAILABLE', `Candidates can only be tested in a JavaScript sandbox for now; "${input.language}" is not supported.`);
      }
      const resolved = await resolveModel(input.model);
      // A bare input is one argument; an array is the argument list.
      const examples = input.examples.map((example) => ({ input: Array.isArray(example.input) ? example.input : [example.input], output: example.output }));
      ctx.progress({ fraction: 0.05, message: `sampling ${input.samples} candidates` });
      let result;
      try {
        result = await sampleCode(
          resolved.model,
          {
            task: input.prompt,
            examples,
            k: input.samples,
            timeoutMs: input.timeoutMs,
            ...(input.seed === undefined ? {} : { seed: input.seed }),
          },
          ctx.signal,
        );
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      const best = result.best;
      if (best === undefined) throw new ShenbiError('ENGINE_FAILED', 'The model produced no program that could be extracted.');
      const common = {
        engine: resolved.engine,
        model: { name: resolved.name, sha256: resolved.sha256 },
        parameters: { samples: input.samples, examples: examples.length, timeoutMs: input.timeoutMs },
        seed: input.seed ?? null,
      };
      const code = await ctx.writeArtifact({ ...common, kind: 'code', mimeType: 'text/javascript; charset=utf-8', bytes: Buffer.from(best.code, 'utf8'), name: 'solution.js' });
      const report = await ctx.writeArtifact({
        ...common,
        kind: 'json',
        mimeType: 'application/json',
        bytes: Buffer.from(JSON.stringify({ best: best.index, duplicates: result.duplicates, candidates: result.candidates }, null, 2), 'utf8'),
        name: 'candidates.json',
        parents: [code.id],
      });
      return { code: code.id, report: report.id, passed: best.passed, total: best.total };
    },
  };
}
