import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { actionPlanSchema } from '../../src/engines/motion/action-plan.ts';
import { parseMotionPrompt } from '../../src/engines/motion/plan/parse-prompt.ts';
import { textToPlan } from '../../src/engines/motion/plan/text-to-plan.ts';
import { actionPlanJsonSchema } from '../../src/engines/motion/plan/text-to-plan-schema.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * Action-GPT through a scripted model (the AI SDK's own mock language model): the expansion
 * call, then the plan call(s) with the plan's JSON schema; the repair loop sends zod's errors
 * back; a model that never writes a valid plan leaves it to the rule-based parser.
 */

function answer(text: string): LanguageModelV3GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 10, text: 10, reasoning: 0 } },
    warnings: [],
  };
}

/** A model that answers each call with the next scripted text (the last one repeats). */
function scripted(texts: string[]): MockLanguageModelV3 {
  let call = 0;
  return new MockLanguageModelV3({ doGenerate: async () => answer(texts[Math.min(call++, texts.length - 1)]!) });
}

function promptText(options: LanguageModelV3CallOptions): string {
  return JSON.stringify(options.prompt);
}

const DESCRIPTIONS = 'The legs stride forward three metres, heels striking first.\nThe torso turns to the left.\n- The right arm rises above the shoulder and the hand waves.';
const PLAN = {
  actions: [
    { action: 'walk', layer: 'full', params: { distance: 3, direction: 'forward' } },
    { action: 'turn', layer: 'full', params: { angle: 90 } },
    { action: 'wave', layer: 'full', params: { hand: 'right', count: 3 } },
  ],
};

test('a model that writes a valid plan: expansion first (K descriptions), then the plan, asked for with the plan JSON schema and few-shot turns', async () => {
  const model = scripted([DESCRIPTIONS, JSON.stringify(PLAN)]);
  const result = await textToPlan({ model, prompt: 'a man walks forward, turns left and waves', seed: 7 });
  assert.equal(result.source, 'text-model');
  assert.equal(result.attempts, 1);
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(result.descriptions, ['The legs stride forward three metres, heels striking first.', 'The torso turns to the left.', 'The right arm rises above the shoulder and the hand waves.']);
  assert.deepEqual(result.plan.descriptions, result.descriptions);
  assert.deepEqual(result.plan.actions.map((a) => [a.action, a.params]), PLAN.actions.map((a) => [a.action, a.params]));
  assert.ok(actionPlanSchema.safeParse(result.plan).success);
  assert.equal(model.doGenerateCalls.length, 2);
  const [expansion, planCall] = model.doGenerateCalls;
  assert.notEqual(expansion!.responseFormat?.type, 'json', 'the expansion is free text');
  assert.match(promptText(expansion!), /3 short sentences/);
  assert.equal(planCall!.responseFormat?.type, 'json');
  assert.deepEqual(planCall!.responseFormat?.type === 'json' ? planCall!.responseFormat.schema : undefined, actionPlanJsonSchema());
  assert.equal(planCall!.seed, 7);
  // The request carries the descriptions; the few-shot turns are the rule parser's plans.
  const text = promptText(planCall!);
  assert.match(text, /Write the action plan for: a man walks forward, turns left and waves/);
  assert.match(text, /heels striking first/);
  const exampleAnswer = planCall!.prompt.find((m) => m.role === 'assistant');
  assert.ok(exampleAnswer, 'example plans are earlier assistant turns');
  const example = JSON.parse((exampleAnswer.content as Array<{ text: string }>)[0]!.text) as { actions: unknown[] };
  assert.deepEqual(example.actions, parseMotionPrompt('walk forward 3 m, turn left, then wave the right hand').plan.actions.map(({ text: _t, ...a }) => a));
});

test('an invalid plan, then a valid one: zod errors go back to the model and the second plan is taken', async () => {
  const bad = { actions: [{ action: 'moonwalk', layer: 'full', params: { distance: 3 } }, { action: 'wave', layer: 'full', params: { count: 0.5 } }] };
  const model = scripted([DESCRIPTIONS, JSON.stringify(bad), JSON.stringify(PLAN)]);
  const retries: string[] = [];
  const result = await textToPlan({ model, prompt: 'walk, turn, wave', seed: 0, onRetry: (_attempt, errors) => retries.push(errors) });
  assert.equal(result.source, 'text-model');
  assert.equal(result.attempts, 2);
  assert.equal(model.doGenerateCalls.length, 3);
  assert.equal(retries.length, 1);
  assert.match(retries[0]!, /actions\.0\.action/);
  assert.match(retries[0]!, /actions\.1\.params\.count/);
  const second = promptText(model.doGenerateCalls[2]!);
  assert.match(second, /not valid/);
  assert.match(second, /moonwalk/);
  assert.deepEqual(result.plan.actions.map((a) => a.action), ['walk', 'turn', 'wave']);
});

test('text that is not JSON three times: the rule-based parser makes the plan, with a warning', async () => {
  const model = scripted(['Legs move.', 'Once upon a time there was a walk']);
  const retries: string[] = [];
  const result = await textToPlan({ model, prompt: '向前走三步然后挥手', seed: 0, onRetry: (_a, errors) => retries.push(errors) });
  assert.equal(result.source, 'rules');
  assert.equal(result.attempts, 3);
  assert.equal(retries.length, 3);
  assert.match(retries[0]!, /not JSON/);
  assert.equal(model.doGenerateCalls.length, 4, 'one expansion and three plan attempts');
  assert.match(result.warnings[0]!, /no valid action plan in 3 attempts.*rule-based parser/);
  assert.deepEqual(result.plan.actions, parseMotionPrompt('向前走三步然后挥手').plan.actions);
  assert.deepEqual(result.plan.descriptions, ['Legs move.'], 'the expansion is kept');
});

test('the grammar schema compiles in node-llama-cpp and accepts a plan written to it', async () => {
  const provider = createLlamaCppProvider({ threads: 1 });
  after(() => provider.close());
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false });
  const grammar = await llama.createGrammarForJsonSchema(actionPlanJsonSchema() as never);
  assert.deepEqual(grammar.parse(JSON.stringify(PLAN)), PLAN);
});

test('stories260K through node-llama-cpp (grammar-constrained): falls back to the rule-based parser after the attempts, never a hang', async () => {
  const provider = createLlamaCppProvider({ threads: 1 });
  after(() => provider.close());
  const model = provider.languageModel(join(TESTDATA, 'stories260K.gguf'));
  const retries: string[] = [];
  const started = Date.now();
  const result = await textToPlan({ model, prompt: 'walk forward 3 meters, turn left 90 degrees, then wave the right hand', seed: 0, maxOutputTokens: 300, onRetry: (_a, errors) => retries.push(errors) });
  console.log(`stories260K: ${result.source} after ${result.attempts} attempts in ${Date.now() - started} ms; first errors: ${retries[0]?.slice(0, 300)}`);
  assert.equal(result.source, 'rules', JSON.stringify(result.plan));
  assert.equal(retries.length, 3);
  assert.match(result.warnings[0]!, /rule-based parser/);
  assert.deepEqual(result.plan.actions.map((a) => a.action), ['walk', 'turn', 'wave']);
  assert.ok(actionPlanSchema.safeParse(result.plan).success);
});
