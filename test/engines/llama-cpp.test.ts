import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { embed, generateText, streamText } from 'ai';
import { z } from 'zod';
import { ShenbiError } from '../../src/core/errors.ts';
import { createLlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const MODEL = join(TESTDATA, 'stories260K.gguf');
const provider = createLlamaCppProvider({ threads: 1 });
const model = provider.languageModel(MODEL);
after(() => provider.close());

test('greedy output is deterministic', async () => {
  const a = await generateText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 32 });
  const b = await generateText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 32 });
  assert.ok(a.text.length > 10);
  assert.equal(a.text, b.text);
  assert.equal(a.finishReason, 'length');
  assert.equal(a.usage.outputTokens, 32);
});

test('streaming deltas concatenate to the full text', async () => {
  const full = await generateText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 32 });
  const result = streamText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 32 });
  const deltas: string[] = [];
  for await (const d of result.textStream) deltas.push(d);
  assert.ok(deltas.length > 3);
  assert.equal(deltas.join(''), full.text);
});

test('stop sequences end generation', async () => {
  const full = await generateText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 64 });
  const word = full.text.trim().split(/\s+/)[3]!;
  const stopped = await generateText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 64, stopSequences: [word] });
  assert.ok(!stopped.text.includes(word));
  assert.ok(stopped.text.length < full.text.length);
  assert.equal(stopped.finishReason, 'stop');
});

test('json schema output validates', async () => {
  const schema = z.object({ name: z.string(), age: z.number() });
  const result = await model.doGenerate({
    prompt: [{ role: 'user', content: [{ type: 'text', text: 'A person:' }] }],
    maxOutputTokens: 200,
    responseFormat: { type: 'json', schema: z.toJSONSchema(schema) as never },
  });
  const part = result.content[0];
  assert.equal(part?.type, 'text');
  schema.parse(JSON.parse(part.type === 'text' ? part.text : ''));
});

test('8 simultaneous requests share one model load', async () => {
  const before = provider.pool.loads;
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => generateText({ model, prompt: `Tom had ${i} cats`, temperature: 0, maxOutputTokens: 16 })));
  assert.equal(results.length, 8);
  for (const r of results) assert.ok(r.text.length > 0);
  assert.ok(provider.pool.loads - before <= 1);
  assert.equal(provider.pool.loads, 1);
});

test('abort mid-stream ends the stream and frees the sequence', async () => {
  const controller = new AbortController();
  const result = streamText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 500, abortSignal: controller.signal });
  let count = 0;
  try {
    for await (const _ of result.textStream) if (++count === 3) controller.abort();
  } catch {
    // an abort may surface as an error; either way the stream must end
  }
  assert.ok(count >= 3 && count < 500);
  // all 8 sequences must still be obtainable afterwards
  const again = await Promise.all(Array.from({ length: 8 }, () => generateText({ model, prompt: 'Hi', maxOutputTokens: 4 })));
  assert.equal(again.length, 8);
});

test('prompt longer than the context is CONTEXT_OVERFLOW', async () => {
  const long = 'Once upon a time there was a cat. '.repeat(2000);
  await assert.rejects(
    model.doGenerate({ prompt: [{ role: 'user', content: [{ type: 'text', text: long }] }], maxOutputTokens: 8 }),
    (error: unknown) => error instanceof ShenbiError && error.code === 'CONTEXT_OVERFLOW',
  );
});

test('idle models unload', async () => {
  const p = createLlamaCppProvider({ threads: 1, idleUnloadMs: 50 });
  await generateText({ model: p.languageModel(MODEL), prompt: 'Hi', maxOutputTokens: 4 });
  assert.ok(p.pool.isLoaded(MODEL));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(p.pool.isLoaded(MODEL), false);
  await p.close();
});

test('embeddings have 64 dimensions on stories260K', async () => {
  const { embedding } = await embed({ model: provider.embeddingModel(MODEL), value: 'a cat' });
  assert.equal(embedding.length, 64);
  assert.ok(embedding.some((v) => v !== 0));
});

test('a slow stream reader gets merged deltas, never lost or repeated text', async () => {
  const full = await generateText({ model, prompt: 'Once upon a time', temperature: 0, maxOutputTokens: 48 });
  const { stream } = await model.doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'Once upon a time' }] }], temperature: 0, maxOutputTokens: 48 });
  const reader = stream.getReader();
  let text = '';
  let deltas = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.type === 'text-delta') {
      text += value.delta;
      deltas++;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  assert.equal(text, full.text);
  assert.ok(deltas < 48, `${deltas} deltas for 48 tokens`);
});

test('more requests than sequences wait their turn instead of failing', async () => {
  const small = createLlamaCppProvider({ threads: 1, sequences: 2 });
  try {
    const m = small.languageModel(MODEL);
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => generateText({ model: m, prompt: `Tom had ${i} dogs`, temperature: 0, maxOutputTokens: 12 })));
    for (const r of results) assert.ok(r.text.length > 0);
    // The queued ones get the same greedy answer as when run alone.
    const alone = await generateText({ model: m, prompt: 'Tom had 6 dogs', temperature: 0, maxOutputTokens: 12 });
    assert.equal(results[6]!.text, alone.text);
  } finally {
    await small.close();
  }
});

test('concurrent requests spread over the context lanes of one load, each giving its greedy answer', async () => {
  const laned = createLlamaCppProvider({ threads: 1, sequences: 6, lanes: 3 });
  try {
    const m = laned.languageModel(MODEL);
    const alone = await generateText({ model: m, prompt: 'Tom had a dog', temperature: 0, maxOutputTokens: 24 });
    let peak: number[] = [];
    const results = await laned.pool.use(MODEL, async (pooled) => {
      assert.equal(pooled.lanes.count, 3);
      const running = Promise.all(Array.from({ length: 6 }, () => generateText({ model: m, prompt: 'Tom had a dog', temperature: 0, maxOutputTokens: 24 })));
      const sampler = setInterval(() => {
        const busy = pooled.lanes.busy;
        if (busy.reduce((a, b) => a + b, 0) > peak.reduce((a, b) => a + b, 0)) peak = busy;
      }, 1);
      try {
        return await running;
      } finally {
        clearInterval(sampler);
      }
    });
    assert.deepEqual(peak, [2, 2, 2], 'six requests over three lanes, two each');
    for (const r of results) assert.equal(r.text, alone.text);
    assert.equal(laned.pool.loads, 1);
  } finally {
    await laned.close();
  }
});

test('lanes are capped at the sequences, and one lane batches every request in one context', async () => {
  for (const [lanes, sequences, expected] of [[10, 2, 2], [1, 4, 1]] as const) {
    const p = createLlamaCppProvider({ threads: 1, sequences, lanes });
    try {
      const count = await p.pool.use(MODEL, async (pooled) => pooled.lanes.count);
      assert.equal(count, expected);
      const results = await Promise.all(Array.from({ length: 4 }, (_, i) => generateText({ model: p.languageModel(MODEL), prompt: `Sue saw ${i} birds`, temperature: 0, maxOutputTokens: 8 })));
      for (const r of results) assert.ok(r.text.length > 0);
    } finally {
      await p.close();
    }
  }
});
