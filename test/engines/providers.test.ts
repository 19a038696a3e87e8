import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateText, streamText } from 'ai';
import { ShenbiError } from '../../src/core/errors.ts';
import { fallback, providerModel, withErrorMapping, withRetry, withTimeout } from '../../src/engines/providers/index.ts';
import {
  anthropicError, anthropicMessage, anthropicStream, googleAnswer, googleError, openAIChat, openAIError, openAIStream, startFakeServer,
} from '../helpers/fake-providers.ts';

const env = { FAKE_KEY: 'sk-test-123' };
const openai = (baseURL: string, model = 'gpt-x') =>
  providerModel(`fake:${model}`, { env, providers: [{ name: 'fake', kind: 'openai', baseURL: `${baseURL}/v1`, apiKeyEnv: 'FAKE_KEY' }] });

test('openai: plain text, request carries model, messages, temperature and the key', async () => {
  const server = await startFakeServer((req, res) => openAIChat(res, 'gpt-x', 'hello there'));
  try {
    const r = await generateText({ model: openai(server.baseURL), prompt: 'hi', temperature: 0.3, maxRetries: 0 });
    assert.equal(r.text, 'hello there');
    const req = server.requests[0]!;
    assert.equal(req.url, '/v1/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer sk-test-123');
    assert.equal(req.body.model, 'gpt-x');
    assert.equal(req.body.temperature, 0.3);
    assert.deepEqual(req.body.messages, [{ role: 'user', content: 'hi' }]);
  } finally { await server.close(); }
});

test('openai: streamed text over SSE', async () => {
  const server = await startFakeServer((req, res) => openAIStream(res, 'gpt-x', ['he', 'llo']));
  try {
    const r = streamText({ model: openai(server.baseURL), prompt: 'hi', maxRetries: 0 });
    let text = '';
    for await (const t of r.textStream) text += t;
    assert.equal(text, 'hello');
    assert.equal(server.requests[0]!.body.stream, true);
  } finally { await server.close(); }
});

test('retry on 429 honours Retry-After, then succeeds', async () => {
  const server = await startFakeServer((req, res, i) =>
    i === 0 ? openAIError(res, 429, 'slow down', { 'retry-after': '0.3' }) : openAIChat(res, 'gpt-x', 'ok'));
  try {
    const started = Date.now();
    const r = await generateText({ model: withRetry(openai(server.baseURL), { baseDelayMs: 1 }), prompt: 'hi', maxRetries: 0 });
    assert.equal(r.text, 'ok');
    assert.equal(server.requests.length, 2);
    assert.ok(Date.now() - started >= 290, 'waited for Retry-After');
  } finally { await server.close(); }
});

test('retry on 503 then success; no retry on 400, mapped to PROVIDER_REJECTED with the message', async () => {
  const server = await startFakeServer((req, res, i) => {
    if (req.body.model === 'bad') return openAIError(res, 400, 'unknown parameter foo');
    return i === 0 ? openAIError(res, 503, 'overloaded') : openAIChat(res, 'gpt-x', 'ok');
  });
  try {
    const r = await generateText({ model: withRetry(openai(server.baseURL), { baseDelayMs: 5 }), prompt: 'hi', maxRetries: 0 });
    assert.equal(r.text, 'ok');
    assert.equal(server.requests.length, 2);
    const bad = withErrorMapping(withRetry(openai(server.baseURL, 'bad'), { baseDelayMs: 5 }));
    await assert.rejects(generateText({ model: bad, prompt: 'hi', maxRetries: 0 }), (e: unknown) => {
      const err = (e instanceof ShenbiError ? e : (e as { lastError?: unknown }).lastError ?? e) as ShenbiError;
      assert.equal(err.code, 'PROVIDER_REJECTED');
      assert.match(err.message, /unknown parameter foo/);
      return true;
    });
    assert.equal(server.requests.length, 3, 'the 400 was sent once');
  } finally { await server.close(); }
});

test('anthropic error body becomes PROVIDER_UNAVAILABLE; success body parses', async () => {
  const server = await startFakeServer((req, res, i) =>
    i === 0 ? anthropicError(res, 529, 'overloaded_error', 'Overloaded') : anthropicMessage(res, 'claude-x', 'bonjour'));
  try {
    const model = providerModel('fa:claude-x', { env, providers: [{ name: 'fa', kind: 'anthropic', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_KEY' }] });
    await assert.rejects(generateText({ model: withErrorMapping(model), prompt: 'hi', maxRetries: 0 }),
      (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_UNAVAILABLE' && /Overloaded/.test(e.message));
    const r = await generateText({ model, prompt: 'hi', maxRetries: 0 });
    assert.equal(r.text, 'bonjour');
    assert.equal(server.requests[1]!.url, '/v1/messages');
    assert.equal(server.requests[1]!.headers['x-api-key'], 'sk-test-123');
  } finally { await server.close(); }
});

test('timeout maps to ENGINE_TIMEOUT', async () => {
  const server = await startFakeServer(async (req, res) => { await new Promise((r) => setTimeout(r, 1000)); if (!res.destroyed) openAIChat(res, 'gpt-x', 'late'); });
  try {
    await assert.rejects(generateText({ model: withTimeout(openai(server.baseURL), 100), prompt: 'hi', maxRetries: 0 }),
      (e: unknown) => e instanceof ShenbiError && e.code === 'ENGINE_TIMEOUT');
  } finally { await server.close(); }
});

test('cancellation mid-stream closes the connection', async () => {
  const server = await startFakeServer((req, res) => openAIStream(res, 'gpt-x', Array.from({ length: 50 }, () => 'x'), 20));
  try {
    const controller = new AbortController();
    const r = streamText({ model: openai(server.baseURL), prompt: 'hi', maxRetries: 0, abortSignal: controller.signal });
    let n = 0;
    try { for await (const _ of r.textStream) if (++n === 3) controller.abort(); } catch { /* aborted */ }
    await new Promise((r2) => setTimeout(r2, 100));
    assert.ok(n < 50);
    assert.equal(server.closedEarly, 1);
  } finally { await server.close(); }
});

test('fallback: A down, B answers and is reported', async () => {
  const a = await startFakeServer((req, res) => openAIError(res, 503, 'down'));
  const b = await startFakeServer((req, res) => openAIChat(res, 'gpt-b', 'from b'));
  try {
    const r = await generateText({ model: fallback([openai(a.baseURL, 'gpt-a'), openai(b.baseURL, 'gpt-b')]), prompt: 'hi', maxRetries: 0 });
    assert.equal(r.text, 'from b');
    assert.equal(r.response.modelId, 'gpt-b');
    assert.match(String(r.providerMetadata?.shenbi?.answeredBy), /gpt-b/);
    assert.equal(a.requests.length, 1);
  } finally { await a.close(); await b.close(); }
});

test('missing key names the environment variable', () => {
  assert.throws(() => providerModel('qwen:qwen-plus', { env: {} }),
    (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_KEY_MISSING' && /DASHSCOPE_API_KEY/.test(e.message));
  assert.throws(() => providerModel('openai:gpt-4o', { env: {} }), /OPENAI_API_KEY/);
  assert.ok(providerModel('ollama:llama3', { env: {} }));
});

test('anthropic: streamed text over SSE events', async () => {
  const server = await startFakeServer((req, res) => anthropicStream(res, 'claude-x', ['ni', 'hao']));
  try {
    const model = providerModel('fa:claude-x', { env, providers: [{ name: 'fa', kind: 'anthropic', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_KEY' }] });
    const r = streamText({ model, prompt: 'hi', maxRetries: 0, maxOutputTokens: 64 });
    let text = '';
    for await (const t of r.textStream) text += t;
    assert.equal(text, 'nihao');
    assert.equal(server.requests[0]!.body.stream, true);
    assert.equal(server.requests[0]!.body.model, 'claude-x');
  } finally { await server.close(); }
});

test('google: generateContent, streamGenerateContent?alt=sse and a 400 error body', async () => {
  const server = await startFakeServer((req, res) =>
    req.body.generationConfig && (req.body.generationConfig as { temperature?: number }).temperature === 2
      ? googleError(res, 400, 'temperature out of range') : googleAnswer(req, res, ['gem', 'ini']));
  try {
    const model = providerModel('fg:gemini-x', { env, providers: [{ name: 'fg', kind: 'google', baseURL: `${server.baseURL}/v1beta`, apiKeyEnv: 'FAKE_KEY' }] });
    const r = await generateText({ model, prompt: 'hi', temperature: 0.5, maxRetries: 0 });
    assert.equal(r.text, 'gemini');
    assert.equal(server.requests[0]!.url, '/v1beta/models/gemini-x:generateContent');
    assert.equal(server.requests[0]!.headers['x-goog-api-key'], 'sk-test-123');
    const s = streamText({ model, prompt: 'hi', maxRetries: 0 });
    let text = '';
    for await (const t of s.textStream) text += t;
    assert.equal(text, 'gemini');
    assert.equal(server.requests[1]!.url, '/v1beta/models/gemini-x:streamGenerateContent?alt=sse');
    await assert.rejects(generateText({ model: withErrorMapping(model), prompt: 'hi', temperature: 2, maxRetries: 0 }),
      (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_REJECTED' && /temperature out of range/.test(e.message));
  } finally { await server.close(); }
});

test('a stream that stalls after it started ends with ENGINE_TIMEOUT and closes the connection', async () => {
  const server = await startFakeServer(async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta: { role: 'assistant', content: 'first ' }, finish_reason: null }] })}\n\n`);
    await new Promise((r) => setTimeout(r, 2000)); // then nothing
    if (!res.destroyed) res.end('data: [DONE]\n\n');
  });
  try {
    const r = streamText({ model: withTimeout(openai(server.baseURL), 1000, { idleMs: 150 }), prompt: 'hi', maxRetries: 0 });
    let text = '';
    let failure: unknown;
    try {
      for await (const part of r.fullStream) {
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'error') failure = part.error;
      }
    } catch (error) {
      failure = error;
    }
    assert.equal(text, 'first ');
    assert.ok(failure instanceof ShenbiError && failure.code === 'ENGINE_TIMEOUT', String(failure));
    await new Promise((r2) => setTimeout(r2, 100));
    assert.equal(server.closedEarly, 1);
  } finally { await server.close(); }
});

test('a steady stream may run longer than the first-answer timeout', async () => {
  const server = await startFakeServer((req, res) => openAIStream(res, 'gpt-x', Array.from({ length: 10 }, () => 'x'), 40));
  try {
    const r = streamText({ model: withTimeout(openai(server.baseURL), 200, { idleMs: 200 }), prompt: 'hi', maxRetries: 0 });
    let text = '';
    for await (const d of r.textStream) text += d;
    assert.equal(text, 'x'.repeat(10)); // ~400 ms in all, never 200 ms between chunks
  } finally { await server.close(); }
});

test('streamed fallback: A fails before any content, B streams and is reported as the answering model', async () => {
  const a = await startFakeServer((req, res) => openAIError(res, 503, 'down'));
  const b = await startFakeServer((req, res) => openAIStream(res, 'gpt-b', ['from ', 'b']));
  try {
    const r = streamText({ model: fallback([openai(a.baseURL, 'gpt-a'), openai(b.baseURL, 'gpt-b')]), prompt: 'hi', maxRetries: 0 });
    let text = '';
    for await (const d of r.textStream) text += d;
    assert.equal(text, 'from b');
    assert.match(String((await r.providerMetadata)?.shenbi?.answeredBy), /gpt-b/);
    assert.equal((await r.response).modelId, 'gpt-b');
    assert.equal(a.requests.length, 1);
  } finally { await a.close(); await b.close(); }
});
