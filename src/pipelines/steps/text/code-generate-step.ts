import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { sampleCode } from '../../../engines/code-sampler/index.ts';
import { modelCacheSalt, requestedModel, type TextModelResolver } from './model-resolver.ts';

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
    inputs: {
      prompt: { type: 'string' },
      language: { type: 'string', optional: true, default: 'javascript' },
      examples: { type: 'json', optional: true, default: [] },
      samples: { type: 'integer', optional: true, default: 8 },
      timeoutMs: { type: 'integer', optional: true, default: 1000 },
      seed: { type: 'integer', optional: true },
      model: { type: 'string', optional: true },
    },
    outputs: {
      code: { type: 'artifact' },
      report: { type: 'artifact' },
      passed: { type: 'integer' },
      total: { type: 'integer' },
    },
    cacheSalt: modelCacheSalt(resolveModel),
    async run(ctx, inputs) {
      if (inputs.language !== 'javascript') {
        throw new ShenbiError('ENGINE_UNAVAILABLE', `Candidates can only be tested in a JavaScript sandbox for now; "${String(inputs.language)}" is not supported.`);
      }
      const resolved = await resolveModel(requestedModel(inputs));
      const examples = (Array.isArray(inputs.examples) ? inputs.examples : []).map((raw) => {
        const example = raw as { input: unknown; output: unknown };
        // A bare input is one argument; an array is the argument list.
        return { input: Array.isArray(example.input) ? example.input : [example.input], output: example.output };
      });
      ctx.progress({ fraction: 0.05, message: `sampling ${String(inputs.samples)} candidates` });
      let result;
      try {
        result = await sampleCode(
          resolved.model,
          {
            task: String(inputs.prompt),
            examples,
            k: Number(inputs.samples),
            timeoutMs: Number(inputs.timeoutMs),
            ...(typeof inputs.seed === 'number' ? { seed: inputs.seed } : {}),
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
        parameters: { samples: inputs.samples, examples: examples.length, timeoutMs: inputs.timeoutMs },
        seed: typeof inputs.seed === 'number' ? inputs.seed : null,
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
