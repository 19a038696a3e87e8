import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepDefinition } from '../../src/core/step.ts';
import { modelAffinityOf } from '../../src/jobs/affinity.ts';
import { PlanCache } from '../../src/jobs/plan-cache.ts';
import { StepRegistry } from '../../src/jobs/step-registry.ts';

const step = (type: string, engine: string, modelInput?: string): StepDefinition => ({
  type,
  title: type,
  version: '1',
  engine,
  ...(modelInput === undefined ? {} : { modelInput }),
  inputs: { model: { type: 'string', optional: true }, prompt: { type: 'string', optional: true } },
  outputs: { text: { type: 'string' } },
  run: async () => ({ text: '' }),
});
const registry = new StepRegistry([step('t.write', 'text', 'model'), step('t.plain', 'text'), step('i.draw', 'diffusion', 'model')]);
const plans = new PlanCache(registry);
const spec = (steps: unknown[], inputs: Record<string, unknown> = {}) => ({ id: 'p', title: 'P', inputs, steps, outputs: {} });
const affinity = (s: unknown, input: Record<string, unknown> = {}) => modelAffinityOf(plans.compile(s).plan, input);

test('a job’s model affinity: its first step that names a model, by engine and name; cloud and computed models have none', () => {
  const literal = affinity(spec([{ id: 'a', uses: 't.write', with: { model: 'qwen.gguf' } }]));
  assert.match(literal ?? '', /^m[0-9a-f]{16}$/);
  assert.equal(affinity(spec([{ id: 'x', uses: 't.plain' }, { id: 'a', uses: 't.write', with: { model: 'qwen.gguf' } }])), literal, 'the step id and other steps do not matter');
  assert.equal(affinity(spec([{ id: 'a', uses: 't.write', with: { model: { $from: 'inputs.m' } } }], { m: { type: 'string' } }), { m: 'qwen.gguf' }), literal, 'from the job input');
  assert.notEqual(affinity(spec([{ id: 'a', uses: 't.write', with: { model: 'other.gguf' } }])), literal);
  assert.notEqual(affinity(spec([{ id: 'a', uses: 'i.draw', with: { model: 'qwen.gguf' } }])), literal, 'another engine');
  const fallback = affinity(spec([{ id: 'a', uses: 't.write' }]));
  assert.match(fallback ?? '', /^m[0-9a-f]{16}$/, 'no model: the configured default');
  assert.notEqual(fallback, literal);
  assert.equal(affinity(spec([{ id: 'a', uses: 't.write', with: { model: 'openai:gpt-4o-mini' } }])), undefined, 'a cloud model loads nothing');
  assert.equal(affinity(spec([{ id: 'a', uses: 't.plain' }, { id: 'b', uses: 't.write', with: { model: { $from: 'a.text' } } }])), undefined, 'decided by a step');
  assert.equal(affinity(spec([{ id: 'a', uses: 't.plain' }])), undefined, 'no step names a model');
});

test('compiled pipelines are reused for an equal spec; an invalid one is refused every time and never kept', () => {
  const cache = new PlanCache(registry);
  const one = cache.compile(spec([{ id: 'a', uses: 't.plain' }]));
  assert.equal(cache.compile(JSON.parse(JSON.stringify(spec([{ id: 'a', uses: 't.plain' }])))), one);
  assert.notEqual(cache.compile(spec([{ id: 'b', uses: 't.plain' }])), one);
  for (let k = 0; k < 2; k++) assert.throws(() => cache.compile(spec([{ id: 'a', uses: 'nope.step' }])), (error: { code?: string }) => error.code === 'PIPELINE_INVALID');
  assert.throws(() => new StepRegistry([{ ...step('t.bad', 'text'), modelInput: 'weights' }]), /not one of its inputs/);
});
