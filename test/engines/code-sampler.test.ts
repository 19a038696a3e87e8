import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { extractCode, sampleCode } from '../../src/engines/code-sampler/index.ts';
import { openAIChat, openAIError, startFakeServer } from '../helpers/fake-providers.ts';

const fence = (code: string): string => 'Here you go:\n```js\n' + code + '\n```\nDone.';
const REPLIES = [
  fence('function add(a, b) { return a - b; }'), // wrong
  fence('function add(a, b) { while (true) {} }'), // infinite loop
  fence('function add(a, b) { return a + ; }'), // syntax error
  fence('function add(a, b) { return a + b; }'), // right
  fence('function add(a, b) { return a + b; }'), // duplicate
  fence('function add(a, b) { return a === 1 ? 3 : 0; }'), // passes one example
];

test('extractCode takes the fenced block', () => {
  assert.equal(extractCode(fence('function f() {}')), 'function f() {}');
  assert.equal(extractCode('function f() {}'), 'function f() {}');
});

test('sampleCode ranks scripted candidates from an OpenAI-compatible server', async () => {
  const fake = await startFakeServer((req, res, i) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return openAIError(res, 404, 'not found');
    openAIChat(res, 'fake', REPLIES[i] ?? '');
  });
  try {
    const model = createOpenAICompatible({ name: 'fake', baseURL: `${fake.baseURL}/v1` }).chatModel('fake');
    const examples = [{ input: [1, 2], output: 3 }, { input: [5, 7], output: 12 }];
    // A limit that a+b meets hundreds of times over even on a loaded machine, and that the infinite
    // loop still hits. It was 150 ms, and a fresh sandbox thread's first run alone took 58–110 ms
    // (now warmed before the thread says ready) and more when the machine was busy.
    const result = await sampleCode(model, { task: 'Add two numbers.', examples, k: REPLIES.length, timeoutMs: 500 });
    assert.equal(result.duplicates, 1);
    assert.equal(result.candidates.length, 5);
    assert.equal(result.best?.index, 3);
    assert.equal(result.best?.passed, 2);
    assert.deepEqual(result.candidates.map((c) => c.index), [3, 5, 2, 0, 1]); // 0-pass ties: shorter code first
    const byIndex = new Map(result.candidates.map((c) => [c.index, c]));
    assert.equal(byIndex.get(1)?.failures[0]?.error?.code, 'SANDBOX_TIMEOUT');
    assert.equal(byIndex.get(2)?.failures[0]?.error?.code, 'SANDBOX_ERROR');
    assert.equal(byIndex.get(0)?.failures[0]?.got, -1);
    const seeds = fake.requests.map((r) => r.body['seed']);
    assert.deepEqual(seeds, [0, 1, 2, 3, 4, 5]);
    assert.ok(fake.requests.every((r) => Number(r.body['temperature']) > 0));
  } finally {
    await fake.close();
  }
});

test('sampleCode respects an aborted signal', async () => {
  const model = createOpenAICompatible({ name: 'fake', baseURL: 'http://127.0.0.1:9/v1' }).chatModel('fake');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(sampleCode(model, { task: 't', examples: [{ input: [], output: 1 }], k: 2 }, controller.signal), { code: 'JOB_CANCELLED' });
});
