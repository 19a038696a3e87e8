import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import OpenAI from 'openai';
import type { LlamaCppProvider } from '../../src/engines/llama-cpp/provider.ts';
import { moderationConfigSchema } from '../../src/governance/moderation/config.ts';
import { directEngineStream, type StreamPart } from '../../src/server/openai/engine-stream.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { parseSse } from './helpers.ts';

// Streamed chat from a local model goes straight from the engine to SSE (engine-stream.ts),
// not through the AI SDK's streamText; these check it answers as the SDK path does.
// stories260K's greedy story for "Once upon a time" mentions "a big, red ball" after ~25 tokens.
const TERM = 'red ball';
let home: string;
let shenbi: Shenbi;
let server: RunningServer;
let client: OpenAI;
before(async () => {
  home = mkdtempSync(join(tmpdir(), 'shenbi-chat-stream-'));
  shenbi = await Shenbi.open({ overrides: { home, moderation: moderationConfigSchema.parse({ terms: { en: [TERM] } }) }, env: { ...process.env, SHENBI_TEXT_MODEL: 'stories260k' } });
  await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
  server = await startServer(shenbi, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(async () => {
  await server.close();
  await shenbi.close();
  rmSync(home, { recursive: true, force: true });
});

const conversation = [
  { role: 'system' as const, content: 'You tell short stories.' },
  { role: 'user' as const, content: 'Tell me about a cat.' },
  { role: 'assistant' as const, content: 'The cat sat on the mat.' },
  { role: 'user' as const, content: 'A little dog' },
];

test('a streamed conversation (system, earlier turns) has the non-streamed text, prompt tokens and finish reason', async () => {
  const plain = await client.chat.completions.create({ model: 'stories260k', messages: conversation, max_tokens: 40, temperature: 0 });
  const stream = await client.chat.completions.create({ model: 'stories260k', messages: conversation, max_tokens: 40, temperature: 0, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  let role: string | undefined;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    role ??= chunk.choices[0]?.delta.role;
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(role, 'assistant');
  assert.ok(text.length > 10, text);
  assert.equal(text, plain.choices[0]!.message.content);
  assert.equal(finish, plain.choices[0]!.finish_reason);
  assert.equal(usage?.prompt_tokens, plain.usage!.prompt_tokens);
  assert.equal(usage?.completion_tokens, plain.usage!.completion_tokens);
});

test('a streamed legacy completion continues the prompt as the non-streamed one does', async () => {
  const plain = await client.completions.create({ model: 'stories260k', prompt: 'The sun was', max_tokens: 30, temperature: 0 });
  const stream = await client.completions.create({ model: 'stories260k', prompt: 'The sun was', max_tokens: 30, temperature: 0, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'text_completion');
    text += chunk.choices[0]?.text ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(text.length > 10, text);
  assert.equal(text, plain.choices[0]!.text);
  assert.equal(usage?.prompt_tokens, plain.usage!.prompt_tokens);
});

test('streamed output that reaches a listed term ends with a GOVERNANCE_REFUSED event; the text before it never holds the term', async () => {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stories260k', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 120, temperature: 0, stream: true }),
  });
  assert.equal(response.status, 200);
  const events = parseSse(await response.text()).map((e) => e.data);
  const refusal = events.findIndex((data) => data.includes('GOVERNANCE_REFUSED'));
  assert.ok(refusal > 1, `no refusal event in ${events.join(' | ')}`);
  const before = events.slice(0, refusal).map((data) => (JSON.parse(data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
  assert.ok(before.includes('Lily'), before);
  assert.ok(!before.includes(TERM), before);
  assert.equal(events.at(-1), '[DONE]');
});

test('a client that hangs up mid-stream stops its generation: no stray errors, and the next request is answered', async () => {
  const stray: unknown[] = [];
  const onStray = (error: unknown) => stray.push(error);
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
  try {
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'stories260k', messages: [{ role: 'user', content: 'A little dog' }], max_tokens: 1500, temperature: 0.8, seed: i, stream: true }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      let received = '';
      while (!received.includes('"content":"') || received.split('"content":"').length < 4) received += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      await reader.closed.catch(() => undefined);
    }
    // A generation left running would hold its sequence: the pool's lanes must all be free again.
    const lanes = await lanesBusy();
    assert.deepEqual(lanes.filter((n) => n > 0), [], `lanes still busy: ${lanes.join(',')}`);
    const next = await client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'A little dog' }], max_tokens: 10, temperature: 0 });
    assert.ok((next.choices[0]!.message.content ?? '').length > 0);
    assert.deepEqual(stray, []);
  } finally {
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
  }
});

/** Requests running in each lane of the loaded stories260K, once the hang-ups have had a moment to land. */
async function lanesBusy(): Promise<number[]> {
  const path = (await shenbi.models.resolve('stories260k')).path;
  // The instance's one llama.cpp pool (private to Shenbi; read here only to see the lanes).
  const pool = (shenbi as unknown as { engines: { llama?: LlamaCppProvider } }).engines.llama!.pool;
  // Our own use holds no lane: withSequence is what marks a lane busy.
  const busy = () => pool.use(path, async (pooled) => pooled.lanes.busy);
  for (let i = 0; i < 100; i++) {
    const now = await busy();
    if (now.every((n) => n === 0)) return now;
    await new Promise((r) => setTimeout(r, 20));
  }
  return busy();
}

/** A LanguageModelV3 that streams the given parts and records the options it was called with. */
function scriptedModel(parts: LanguageModelV3StreamPart[]): LanguageModelV3 & { calls: LanguageModelV3CallOptions[] } {
  const calls: LanguageModelV3CallOptions[] = [];
  return {
    specificationVersion: 'v3',
    provider: 'test',
    modelId: 'scripted',
    supportedUrls: {},
    calls,
    doGenerate: () => Promise.reject(new Error('not used')),
    doStream: async (options) => {
      calls.push(options);
      return { stream: new ReadableStream({ start: (c) => (parts.forEach((p) => c.enqueue(p)), c.close()) }) };
    },
  };
}

async function drain(parts: AsyncIterator<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for (let next = await parts.next(); next.done !== true; next = await parts.next()) out.push(next.value);
  return out;
}

test('the direct path takes plain text requests to local models only, and gives parts in streamText shape', async () => {
  const finish: LanguageModelV3StreamPart = {
    type: 'finish',
    finishReason: { unified: 'length', raw: 'maxTokens' },
    usage: { inputTokens: { total: 7, noCache: 4, cacheRead: 3, cacheWrite: 0 }, outputTokens: { total: 2, text: 2, reasoning: 0 } },
    providerMetadata: { llamaCpp: { contextSize: 2048 } },
  };
  const model = scriptedModel([{ type: 'stream-start', warnings: [] }, { type: 'text-start', id: '0' }, { type: 'text-delta', id: '0', delta: 'Hi' }, { type: 'text-delta', id: '0', delta: ' there' }, { type: 'text-end', id: '0' }, finish]);
  const signal = new AbortController().signal;
  const messages = [
    { role: 'system' as const, content: 'S' },
    { role: 'user' as const, content: 'U' },
    { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'A' }] },
  ];
  const base = { model, sha256: 'abc', messages, abortSignal: signal };
  assert.equal(directEngineStream({ ...base, sha256: null, settings: {} }), undefined, 'cloud model');
  assert.equal(directEngineStream({ ...base, settings: { tools: {} } }), undefined, 'tools');
  assert.equal(directEngineStream({ ...base, settings: { output: {} } }), undefined, 'JSON output');
  const toolTurn = [...messages, { role: 'assistant' as const, content: [{ type: 'tool-call' as const, toolCallId: 'c', toolName: 't', input: {} }] }];
  assert.equal(directEngineStream({ ...base, messages: toolTurn, settings: {} }), undefined, 'tool turns');
  const parts = await drain(directEngineStream({ ...base, settings: { temperature: 0, maxOutputTokens: 2, stopSequences: ['x'] } })!);
  assert.deepEqual(parts, [
    { type: 'text-delta', text: 'Hi' },
    { type: 'text-delta', text: ' there' },
    { type: 'finish-step', providerMetadata: { llamaCpp: { contextSize: 2048 } } },
    { type: 'finish', finishReason: 'length', totalUsage: { inputTokens: 7, outputTokens: 2, inputTokenDetails: { cacheReadTokens: 3 } } },
  ]);
  assert.deepEqual(model.calls[0]!.prompt, [
    { role: 'system', content: 'S' },
    { role: 'user', content: [{ type: 'text', text: 'U' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'A' }] },
  ]);
  assert.equal(model.calls[0]!.maxOutputTokens, 2);
  assert.deepEqual(model.calls[0]!.stopSequences, ['x']);
  const raw = await drain(directEngineStream({ model, sha256: 'abc', prompt: 'P', settings: {}, abortSignal: signal })!);
  assert.equal(raw.at(-1)!.type, 'finish');
  assert.deepEqual(model.calls[1]!.prompt, [{ role: 'user', content: [{ type: 'text', text: 'P' }] }]);
});
