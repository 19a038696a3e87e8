import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { ShenbiError } from '../../src/core/errors.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { textToScene } from '../../src/engines/scene3d/text-to-scene.ts';
import { sceneProgramJsonSchema } from '../../src/engines/scene3d/text-to-scene-schema.ts';
import { CUP_PROGRAM } from '../helpers/scene-programs.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * The text-model path: a scripted model (the AI SDK's own mock language model) answers with
 * known programs, which the real kernel builds; the repair loop sends the errors back.
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

const build = { detail: 'low' as const, formats: ['glb' as const] };

test('a model that writes a valid program: it is built, on the first attempt, asked for with the program JSON schema', async () => {
  const model = scripted([JSON.stringify(CUP_PROGRAM)]);
  const { built, attempts } = await textToScene({ model, prompt: 'a blue cup on a saucer', seed: 1, build });
  assert.equal(attempts, 1);
  assert.equal(built.program.name, 'test cup');
  assert.deepEqual(built.program.parts.map((p) => p.name), ['saucer', 'cup']);
  assert.ok(built.files.glb !== undefined && built.files.glb.length > 100);
  assert.equal(built.metrics.watertight, true);
  // The hollow: (r_out² h_out − r_in² h_in)·π in mm³, plus the saucer.
  const expected = Math.PI * (40 ** 2 * 80 - 35 ** 2 * 75 + 70 ** 2 * 8);
  assert.ok(Math.abs(built.metrics.volumeMm3 - expected) / expected < 0.03, `${built.metrics.volumeMm3} vs ${expected}`);
  const call = model.doGenerateCalls[0]!;
  assert.equal(call.responseFormat?.type, 'json');
  assert.deepEqual(call.responseFormat?.type === 'json' ? call.responseFormat.schema : undefined, sceneProgramJsonSchema());
  assert.equal(call.seed, 1);
  // Few-shot: built-in programs come before the request.
  assert.match(promptText(call), /Write the scene program for: a blue cup on a saucer/);
  assert.ok(call.prompt.some((m) => m.role === 'assistant'), 'example programs are earlier assistant turns');
});

test('an invalid program, then a valid one: the errors go back to the model and the second program is built', async () => {
  const bad = { ...CUP_PROGRAM, parts: [{ name: 'cup', material: 'glaze', shape: { type: 'cylinder', radius: -1, height: 0.08 } }] };
  const model = scripted([JSON.stringify(bad), JSON.stringify(CUP_PROGRAM)]);
  const retries: string[] = [];
  const { built, attempts } = await textToScene({ model, prompt: 'a cup', seed: 0, build, onRetry: (_attempt, errors) => retries.push(errors) });
  assert.equal(attempts, 2);
  assert.equal(model.doGenerateCalls.length, 2);
  assert.equal(built.program.name, 'test cup');
  assert.equal(retries.length, 1);
  assert.match(retries[0]!, /parts\.0\.shape\.radius/);
  // The second request carries the first answer and its errors.
  const second = promptText(model.doGenerateCalls[1]!);
  assert.match(second, /cannot be built/);
  assert.match(second, /parts\.0\.shape\.radius/);
});

test('text that is not JSON, then a program the kernel refuses, then a valid one: each failure is fed back', async () => {
  const emptied = { ...CUP_PROGRAM, parts: [{ name: 'nothing', material: 'glaze', shape: { type: 'difference', base: { type: 'box', size: [0.1, 0.1, 0.1] }, subtract: [{ type: 'box', size: [0.5, 0.5, 0.5] }] } }] };
  const model = scripted(['Once upon a time there was a cup', JSON.stringify(emptied), JSON.stringify(CUP_PROGRAM)]);
  const retries: string[] = [];
  const { attempts } = await textToScene({ model, prompt: 'a cup', seed: 0, build, onRetry: (_a, errors) => retries.push(errors) });
  assert.equal(attempts, 3);
  assert.match(retries[0]!, /not JSON/);
  assert.match(retries[1]!, /nothing/i, retries[1]);
});

test('a model that never writes a valid program: SCENE_INVALID after 3 attempts, with the last errors', async () => {
  const model = scripted(['{"name": "x", "materials": {}, "parts": []}']);
  await assert.rejects(
    textToScene({ model, prompt: 'a spaceship', seed: 0, build }),
    (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'SCENE_INVALID');
      assert.match(error.message, /3 attempts/);
      assert.match(error.message, /parts/);
      return true;
    },
  );
  assert.equal(model.doGenerateCalls.length, 3);
});

test('the grammar schema compiles in node-llama-cpp and accepts a program written to it', async () => {
  const provider = createLlamaCppProvider({ threads: 1 });
  after(() => provider.close());
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false });
  const grammar = await llama.createGrammarForJsonSchema(sceneProgramJsonSchema() as never);
  const written = {
    name: 'cup',
    materials: { glaze: { baseColor: '#2e86c1', metallic: 0, roughness: 0.3, emissive: '#000000' } },
    parts: [{ name: 'cup', material: 'glaze', shape: { type: 'difference', base: { type: 'cylinder', radius: 0.04, height: 0.08, transform: { translate: [0, 0, 0], rotate: [0, 0, 0] } }, subtract: [{ type: 'sphere', radius: 0.03, transform: { translate: [0, 0.05, 0], rotate: [0, 0, 0] } }], transform: { translate: [0, 0, 0], rotate: [0, 0, 0] } }, transform: { translate: [0, 0, 0], rotate: [0, 0, 0] } }],
  };
  assert.deepEqual(grammar.parse(JSON.stringify(written)), written);
  // Recursion is unrolled: a shape nested deeper than the grammar allows is not accepted.
  assert.ok(grammar.grammar.length < 40_000, `grammar of ${grammar.grammar.length} characters`);
});

test('stories260K through node-llama-cpp (grammar-constrained, 2,048-token context): SCENE_INVALID after the attempts, never a hang', async () => {
  const provider = createLlamaCppProvider({ threads: 1 });
  after(() => provider.close());
  const model = provider.languageModel(join(TESTDATA, 'stories260K.gguf'));
  const retries: string[] = [];
  const started = Date.now();
  // A short output limit keeps this quick; the step's test runs the default one (which the 2,048-token context halves).
  await assert.rejects(textToScene({ model, prompt: 'a spaceship', seed: 0, build, maxOutputTokens: 300, onRetry: (_a, errors) => retries.push(errors) }), (error: unknown) => {
    assert.ok(error instanceof ShenbiError, String(error));
    assert.equal(error.code, 'SCENE_INVALID', error.message);
    return true;
  });
  assert.equal(retries.length, 3, retries.join('\n---\n'));
  console.log(`stories260K: 3 attempts in ${Date.now() - started} ms; first errors: ${retries[0]!.slice(0, 300)}`);
});
