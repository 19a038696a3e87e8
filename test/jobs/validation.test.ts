import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { validateJobInput } from '../../src/jobs/job-input.ts';
import { StepRegistry } from '../../src/jobs/step-registry.ts';
import { validatePipeline, type PipelineProblem } from '../../src/jobs/validate-pipeline.ts';

const noop = async () => ({});
const textStep: StepDefinition = {
  type: 'text.write',
  title: 'Write',
  version: '1',
  inputs: { prompt: { type: 'string' }, seed: { type: 'integer', optional: true } },
  outputs: { text: { type: 'string' }, doc: { type: 'artifact' } },
  run: noop,
};
const scaleStep: StepDefinition = {
  type: 'math.scale',
  title: 'Scale',
  version: '1',
  inputs: { value: { type: 'number' }, factor: { type: 'number', default: 2 } },
  outputs: { value: { type: 'number' } },
  run: noop,
};
const registry = new StepRegistry([textStep, scaleStep]);

function problemsOf(spec: unknown): PipelineProblem[] {
  try {
    validatePipeline(spec, registry);
  } catch (error) {
    assert.ok(error instanceof ShenbiError);
    assert.equal(error.code, 'PIPELINE_INVALID');
    const problems = error.details?.problems as PipelineProblem[];
    // The message names every problem too.
    for (const p of problems) assert.ok(error.message.includes(p.path), `message lacks ${p.path}: ${error.message}`);
    return problems;
  }
  assert.fail('expected PIPELINE_INVALID');
}

const good = {
  id: 'good',
  title: 'Good',
  inputs: { prompt: { type: 'string' }, n: { type: 'number', default: 3 } },
  steps: [
    { id: 'write', uses: 'text.write', with: { prompt: { $from: 'inputs.prompt' } } },
    { id: 'scale', uses: 'math.scale', with: { value: { $from: 'inputs.n' } } },
    { id: 'scale2', uses: 'math.scale', with: { value: { $from: 'scale.value' }, factor: 10 } },
  ],
  outputs: { text: { $from: 'write.text' }, value: { $from: 'scale2.value' } },
};

test('a valid pipeline gets a topological order', () => {
  const { spec, order } = validatePipeline(good, registry);
  assert.equal(spec.id, 'good');
  assert.deepEqual(order, ['write', 'scale', 'scale2']);
  const reversed = { ...good, steps: [...good.steps].reverse() };
  const result = validatePipeline(reversed, registry);
  assert.ok(result.order.indexOf('scale') < result.order.indexOf('scale2'));
});

test('schema errors carry zod paths', () => {
  const problems = problemsOf({ id: 'Bad Id', title: '', steps: [], outputs: {} });
  const paths = problems.map((p) => p.path);
  assert.ok(paths.includes('id'), JSON.stringify(problems));
  assert.ok(paths.includes('title'));
  assert.ok(paths.includes('steps'));
  assert.ok(problems.every((p) => p.kind === 'schema'));
});

test('every graph problem is listed at once, each named', () => {
  const spec = {
    id: 'broken',
    title: 'Broken',
    inputs: { prompt: { type: 'string' }, maybe: { type: 'string', optional: true } },
    steps: [
      { id: 'a', uses: 'text.write', with: { prompt: { $from: 'inputs.nope' } } }, // unknown pipeline input
      { id: 'a', uses: 'text.write', with: { prompt: 'x' } }, // duplicate id
      { id: 'b', uses: 'no.such-step', with: {} }, // unknown step type
      { id: 'c', uses: 'math.scale', with: { value: { $from: 'ghost.value' } } }, // unknown step
      { id: 'd', uses: 'math.scale', with: { value: { $from: 'a.missing' } } }, // unknown output
      { id: 'e', uses: 'math.scale', with: { value: { $from: 'a.doc' } } }, // artifact into number
      { id: 'f', uses: 'math.scale', with: { value: 'seven' } }, // literal of the wrong type
      { id: 'g', uses: 'math.scale', with: { factor: 3 } }, // required input unbound
      { id: 'h', uses: 'math.scale', with: { value: 1, colour: 'red' } }, // unknown input name
      { id: 'i', uses: 'math.scale', with: { value: { $from: 'j.value' } } }, // cycle i → j → i
      { id: 'j', uses: 'math.scale', with: { value: { $from: 'i.value' } } },
      { id: 'k', uses: 'text.write', with: { prompt: { $from: 'inputs.maybe' } } }, // optional, no default, into required
      { id: 'l', uses: 'text.write', with: { prompt: { $from: 'not a ref' } } }, // malformed binding
    ],
    outputs: { x: { $from: 'a.nothing' }, y: { $from: 'zzz.value' } },
  };
  const problems = problemsOf(spec);
  const find = (kind: string, path: string) => problems.find((p) => p.kind === kind && p.path === path);
  assert.ok(find('unknown-ref', 'steps.0.with.prompt')?.message.includes('inputs.nope'));
  assert.ok(find('duplicate-step', 'steps.1.id')?.message.includes('"a"'));
  assert.ok(find('unknown-step-type', 'steps.2.uses')?.message.includes('no.such-step'));
  assert.ok(find('unknown-ref', 'steps.3.with.value')?.message.includes('ghost.value'));
  assert.ok(find('unknown-ref', 'steps.4.with.value')?.message.includes('no output'));
  assert.match(find('type-mismatch', 'steps.5.with.value')?.message ?? '', /artifact.*number/);
  assert.match(find('type-mismatch', 'steps.6.with.value')?.message ?? '', /expected a finite number/);
  assert.ok(find('unbound-input', 'steps.7.with.value'));
  assert.ok(find('unknown-input', 'steps.8.with.colour'));
  assert.match(find('cycle', 'steps')?.message ?? '', /i → j → i|j → i → j/);
  assert.ok(find('unbound-input', 'steps.11.with.prompt')?.message.includes('inputs.maybe'));
  assert.ok(find('bad-binding', 'steps.12.with.prompt'));
  assert.ok(find('unknown-output', 'outputs.x')?.message.includes('nothing'));
  assert.ok(find('unknown-output', 'outputs.y')?.message.includes('zzz'));
  assert.equal(problems.length, 14, JSON.stringify(problems, null, 1));
});

test('a self-reference is a cycle; a bad pipeline-input default is a type mismatch', () => {
  const problems = problemsOf({
    id: 'selfie',
    title: 'Self',
    inputs: { n: { type: 'integer', default: 1.5 } },
    steps: [{ id: 's', uses: 'math.scale', with: { value: { $from: 's.value' } } }],
    outputs: { v: { $from: 's.value' } },
  });
  assert.deepEqual(problems.map((p) => p.kind).sort(), ['cycle', 'type-mismatch']);
});

test('job input: defaults applied, required enforced, types and names checked, with paths', async () => {
  const ports = { prompt: { type: 'string' as const }, n: { type: 'number' as const, default: 3 }, seed: { type: 'integer' as const, optional: true } };
  assert.deepEqual(await validateJobInput(ports, { prompt: 'hi' }), { prompt: 'hi', n: 3 });
  await assert.rejects(validateJobInput(ports, { n: 'three', seed: 1.5, extra: true }), (error: unknown) => {
    assert.ok(error instanceof ShenbiError);
    assert.equal(error.code, 'INVALID_INPUT');
    const paths = (error.details?.issues as Array<{ path: string }>).map((i) => i.path).sort();
    assert.deepEqual(paths, ['extra', 'n', 'prompt', 'seed']);
    assert.match(error.message, /input\.prompt: required string input is missing/);
    assert.match(error.message, /input\.n: expected a finite number/);
    return true;
  });
  await assert.rejects(validateJobInput(ports, ['not', 'an', 'object']), { code: 'INVALID_INPUT' });
});

test('unknown step types from the registry are UNKNOWN_STEP', () => {
  assert.throws(() => registry.get('nope'), (error: unknown) => error instanceof ShenbiError && error.code === 'UNKNOWN_STEP' && error.message.includes('math.scale'));
  assert.deepEqual(
    registry.list().map((s) => s.type),
    ['math.scale', 'text.write'],
  );
});
