import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { experimental_generateSpeech as generateSpeech, generateText, streamText } from 'ai';
import { ShenbiError } from '../../src/core/errors.ts';
import { mapProviderFailure } from '../../src/engines/cloud-music/http.ts';
import { TEXT_RESPONSE_LIMITS } from '../../src/engines/providers/bounded-fetch.ts';
import { providerModel, providerSpeechModel, withRetry, type ProviderConfig } from '../../src/engines/providers/index.ts';
import { retryProviderCall } from '../../src/engines/providers/retry-call.ts';
import { encodeWav } from '../../src/media/audio/wav.ts';
import { ModelManager } from '../../src/models/index.ts';
import { createTextModelResolver } from '../../src/pipelines/steps/text/default-resolver.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { faults, startFaultServer, type FaultServer } from '../helpers/fault-server.ts';

/**
 * Provider clients against a misbehaving provider (test/helpers/fault-server.ts): rate limits
 * with Retry-After, 5xx, resets, truncated answers, trickles, hangs and endless bodies must
 * end in a bounded time as a clear ShenbiError — never a hang, never an empty success.
 */

const CHAT = '/v1/chat/completions';
const SPEECH = '/openai/v1/audio/speech';
const chat = { id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hello there' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } };
const chunk = (delta: object, finish: string | null = null) => JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
const tone = encodeWav({ sampleRate: 16000, samples: Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000)) });

let server: FaultServer;
let dir: string;
let providers: ProviderConfig[];

before(async () => {
  server = await startFaultServer({ routes: {} });
  dir = mkdtempSync(join(tmpdir(), 'shenbi-provider-faults-'));
  providers = [
    { name: 'fault', kind: 'openai-compatible', baseURL: `${server.origin}/v1` },
    { name: 'faultai', kind: 'openai', baseURL: `${server.origin}/openai/v1`, apiKeyEnv: 'SHENBI_TEST_FAULT_KEY' },
  ];
  process.env.SHENBI_TEST_FAULT_KEY = 'sk-fault';
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The text model as jobs and /v1 get it (retry, timeout, error mapping), with a short timeout. */
async function textModel(timeoutMs = 1_500) {
  const resolve = createTextModelResolver({
    models: new ModelManager({ modelsDir: join(dir, 'models') }),
    llama: () => {
      throw new Error('no local models here');
    },
    providers,
    defaultModel: 'none',
    timeoutMs,
  });
  return (await resolve('fault:m')).model;
}

/** A client with no bound would hang the test: give up on it (and fail) after this long. */
const NO_BOUND_MS = 45_000;

/** The ShenbiError a call ends with (the AI SDK may wrap it once in a RetryError-like `lastError`). */
async function failure(call: Promise<unknown>): Promise<ShenbiError> {
  let guard: NodeJS.Timeout | undefined;
  const unbounded = new Promise<never>((_, reject) => (guard = setTimeout(() => reject(new Error(`no outcome within ${NO_BOUND_MS} ms: the client has no bound`)), NO_BOUND_MS)));
  try {
    await Promise.race([call, unbounded]);
  } catch (error) {
    assert.ok(!(error instanceof Error && error.message.startsWith('no outcome within')), (error as Error).message);
    const unwrapped = error instanceof ShenbiError ? error : ((error as { lastError?: unknown }).lastError ?? error);
    assert.ok(unwrapped instanceof ShenbiError, `a ShenbiError, got ${String(unwrapped)}`);
    return unwrapped;
  } finally {
    clearTimeout(guard);
  }
  assert.fail('the call succeeded');
}

/** What a stream ends with: its text and the first error (an error part or a thrown one). */
async function streamOutcome(model: Awaited<ReturnType<typeof textModel>>): Promise<{ text: string; error: unknown }> {
  let error: unknown;
  let text = '';
  try {
    const result = streamText({ model, prompt: 'hi', maxRetries: 0, onError: (event) => void (error ??= event.error) });
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'error') error ??= part.error;
    }
  } catch (thrown) {
    error ??= thrown;
  }
  return { text, error };
}

const elapsed = (since: number) => performance.now() - since;

describe('OpenAI-compatible text provider under faults', () => {
  test('429 with Retry-After: the retry waits as told, then succeeds', async () => {
    server.setRoute(CHAT, [faults.status(429, { retryAfter: 1 }), faults.json(chat)]);
    const r = await generateText({ model: await textModel(), prompt: 'hi', maxRetries: 0 });
    assert.equal(r.text, 'hello there');
    const [first, second] = server.requestsTo(CHAT);
    assert.ok(second !== undefined && first !== undefined);
    assert.ok(second.at - first.at >= 950, `retried after ${Math.round(second.at - first.at)} ms, Retry-After said 1 s`);
  });

  test('Retry-After as an HTTP date is honoured too; an hour-long Retry-After is capped', async () => {
    server.setRoute(CHAT, [faults.status(429, { retryAfter: new Date(Date.now() + 2_000).toUTCString() }), faults.json(chat)]);
    const r = await generateText({ model: await textModel(), prompt: 'hi', maxRetries: 0 });
    assert.equal(r.text, 'hello there');
    const [first, second] = server.requestsTo(CHAT);
    // HTTP dates have whole seconds: at least ~1 s remained.
    assert.ok(second!.at - first!.at >= 900, `retried after ${Math.round(second!.at - first!.at)} ms`);

    server.setRoute(CHAT, [faults.status(429, { retryAfter: 3600 }), faults.json(chat)]);
    const started = performance.now();
    const capped = withRetry(providerModel('fault:m', { providers }), { maxDelayMs: 300, baseDelayMs: 10 });
    assert.equal((await generateText({ model: capped, prompt: 'hi', maxRetries: 0 })).text, 'hello there');
    assert.ok(elapsed(started) < 10_000, `an hour-long Retry-After waited ${Math.round(elapsed(started))} ms with a 300 ms cap`);
  });

  test('5xx every time: a bounded number of attempts, then PROVIDER_UNAVAILABLE with the provider message', async () => {
    server.setRoute(CHAT, faults.status(503, { body: { error: { message: 'upstream overloaded' } } }));
    const error = await failure(generateText({ model: await textModel(), prompt: 'hi', maxRetries: 0 }));
    assert.equal(error.code, 'PROVIDER_UNAVAILABLE');
    assert.match(error.message, /overloaded/);
    assert.equal(server.requestsTo(CHAT).length, 3, 'the first try and two retries');
  });

  test('connection reset before any answer: retried, then PROVIDER_UNAVAILABLE', async () => {
    server.setRoute(CHAT, faults.resetBeforeHeaders());
    const error = await failure(generateText({ model: await textModel(), prompt: 'hi', maxRetries: 0 }));
    assert.equal(error.code, 'PROVIDER_UNAVAILABLE');
    assert.equal(server.requestsTo(CHAT).length, 3);
  });

  test('connection reset in the middle of the body: retried like any dropped connection, then PROVIDER_UNAVAILABLE naming the cause', async () => {
    server.setRoute(CHAT, faults.reset(JSON.stringify(chat).slice(0, 40), { declaredLength: 400 }));
    const error = await failure(generateText({ model: await textModel(), prompt: 'hi', maxRetries: 0 }));
    assert.equal(error.code, 'PROVIDER_UNAVAILABLE', `${error.code}: ${error.message}`);
    assert.match(error.message, /terminated|reset|closed|socket/i, 'the message says the connection dropped');
    assert.equal(server.requestsTo(CHAT).length, 3, 'a dropped connection is worth retrying');

    // A reset that recovers on the retry is a success.
    server.setRoute(CHAT, [faults.reset(JSON.stringify(chat).slice(0, 40), { declaredLength: 400 }), faults.json(chat)]);
    assert.equal((await generateText({ model: await textModel(), prompt: 'hi', maxRetries: 0 })).text, 'hello there');
  });

  test('a body cut short but ended cleanly, an empty 200 and an HTML 200 are refused as PROVIDER_REJECTED', async () => {
    for (const fault of [faults.truncatedJson(chat, 30), faults.body('', 200, { 'content-type': 'application/json' }), faults.body('<html>502 Bad Gateway</html>', 200, { 'content-type': 'text/html' })]) {
      server.setRoute(CHAT, fault);
      const error = await failure(generateText({ model: await textModel(), prompt: 'hi', maxRetries: 0 }));
      assert.equal(error.code, 'PROVIDER_REJECTED', `${error.code}: ${error.message}`);
    }
  });

  test('a stream cut by a reset, or ending without a finish, fails as a provider error; no empty success', async () => {
    const opening = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'hel' })];
    for (const [name, fault] of [
      ['reset mid-stream', faults.truncatedSse(opening, 'reset')],
      ['clean end without finish', faults.truncatedSse(opening, 'clean')],
      ['clean end before any content', faults.truncatedSse(opening.slice(0, 1), 'clean')],
    ] as const) {
      server.setRoute(CHAT, fault);
      const { error } = await streamOutcome(await textModel());
      assert.ok(error !== undefined, `${name}: the stream must end with an error`);
      assert.ok(error instanceof ShenbiError, `${name}: a ShenbiError, got ${String(error)}`);
      assert.match(error.code, /^PROVIDER_(UNAVAILABLE|REJECTED)$/, `${name}: ${error.code}: ${error.message}`);
    }
  });

  test('a trickling answer and a provider that never answers end with ENGINE_TIMEOUT within the limit (retries included)', async () => {
    for (const fault of [faults.trickle(JSON.stringify(chat), { intervalMs: 100 }), faults.hang()]) {
      server.setRoute(CHAT, fault);
      const started = performance.now();
      const error = await failure(generateText({ model: await textModel(800), prompt: 'hi', maxRetries: 0 }));
      assert.equal(error.code, 'ENGINE_TIMEOUT', `${fault.kind}: ${error.code}: ${error.message}`);
      // 3 attempts × 0.8 s + backoff (≤ 0.5 + 1 s + jitter), with room for a loaded machine.
      assert.ok(elapsed(started) < 20_000, `${fault.kind}: took ${Math.round(elapsed(started))} ms`);
    }
    server.setRoute(CHAT, faults.hang());
    const started = performance.now();
    const { error } = await streamOutcome(await textModel(800));
    assert.ok(error instanceof ShenbiError && error.code === 'ENGINE_TIMEOUT', `stream: ${String(error)}`);
    assert.ok(elapsed(started) < 20_000);
    for (let i = 0; i < 50 && server.stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.stats.inFlight, 0, 'every hanging request was given up');
  });

  test('an endless body is cut off at the byte limit, not read until the timeout', async () => {
    // A timeout far away: only a byte limit can end this one early.
    const model = await textModel(60_000);
    server.setRoute(CHAT, faults.huge(64 * 1024 ** 3, { contentType: 'application/json' }));
    const sentBefore = server.stats.bodyBytesSent;
    const error = await failure(generateText({ model, prompt: 'hi', maxRetries: 0 }));
    assert.equal(error.code, 'PROVIDER_REJECTED', `${error.code}: ${error.message}`);
    assert.match(error.message, /larger than/);
    assert.equal(server.requestsTo(CHAT).length, 1, 'an oversized answer is not worth retrying');
    // The limit, plus what sat in socket buffers when the client stopped.
    const sent = server.stats.bodyBytesSent - sentBefore;
    assert.ok(sent < 2 * TEXT_RESPONSE_LIMITS.maxBytes!, `the client kept reading: ${Math.round(sent / 1024 / 1024)} MB sent`);

    server.setRoute(CHAT, faults.huge(64 * 1024 ** 3, { contentType: 'application/json', declareLength: true }));
    const declaredBefore = server.stats.bodyBytesSent;
    const declared = await failure(generateText({ model, prompt: 'hi', maxRetries: 0 }));
    assert.equal(declared.code, 'PROVIDER_REJECTED', 'a Content-Length over the limit is refused');
    assert.ok(server.stats.bodyBytesSent - declaredBefore < 16 * 1024 * 1024, 'before reading the body');
  });
});

describe('cloud speech (OpenAI) under faults', () => {
  const limits = { headersMs: 800, idleMs: 800, maxBytes: 2 * 1024 * 1024 };
  /** As cloudSpeechStep calls it: the provider's speech model, retried by retryProviderCall, mapped by mapProviderFailure. */
  async function speak(responseLimits = limits): Promise<Uint8Array> {
    const model = providerSpeechModel('faultai:tts-1', { providers, responseLimits });
    try {
      const result = await retryProviderCall(() => generateSpeech({ model, text: 'Hello there.', outputFormat: 'wav', maxRetries: 0 }), { retries: 2, baseDelayMs: 50, maxDelayMs: 2_000 });
      return result.audio.uint8Array;
    } catch (error) {
      throw mapProviderFailure(error, { spec: 'faultai:tts-1' });
    }
  }
  const wav = () => faults.body(tone, 200, { 'content-type': 'audio/wav' });

  test('429 with Retry-After then audio: waits as told and returns the audio', async () => {
    server.setRoute(SPEECH, [faults.status(429, { retryAfter: 1 }), wav()]);
    assert.equal(Buffer.compare(Buffer.from(await speak()), tone), 0);
    const [first, second] = server.requestsTo(SPEECH);
    assert.ok(second!.at - first!.at >= 950, `retried after ${Math.round(second!.at - first!.at)} ms`);
  });

  test('reset mid-audio: retried, then PROVIDER_UNAVAILABLE; recovers when the retry works', async () => {
    const cut = faults.reset(tone.subarray(0, 2_000), { status: 200, headers: { 'content-type': 'audio/wav' }, declaredLength: tone.length });
    server.setRoute(SPEECH, cut);
    const error = await failure(speak());
    assert.equal(error.code, 'PROVIDER_UNAVAILABLE', `${error.code}: ${error.message}`);
    assert.equal(server.requestsTo(SPEECH).length, 3);
    server.setRoute(SPEECH, [cut, wav()]);
    assert.equal((await speak()).length, tone.length);
  });

  test('a provider that never answers, and one that trickles, end with ENGINE_TIMEOUT in bounded time', async () => {
    for (const fault of [faults.hang(), faults.trickle(tone, { intervalMs: 1_000, bytesPerTick: 100, headers: { 'content-type': 'audio/wav' } })]) {
      server.setRoute(SPEECH, fault);
      const started = performance.now();
      const error = await failure(speak());
      assert.equal(error.code, 'ENGINE_TIMEOUT', `${fault.kind}: ${error.code}: ${error.message}`);
      assert.ok(elapsed(started) < 20_000, `${fault.kind}: took ${Math.round(elapsed(started))} ms`);
    }
  });

  test('endless audio is cut off at the byte limit', async () => {
    server.setRoute(SPEECH, faults.huge(64 * 1024 ** 3, { contentType: 'audio/wav' }));
    const before = server.stats.bodyBytesSent;
    const error = await failure(speak());
    assert.equal(error.code, 'PROVIDER_REJECTED', `${error.code}: ${error.message}`);
    assert.ok(server.stats.bodyBytesSent - before < 64 * 1024 * 1024, `${Math.round((server.stats.bodyBytesSent - before) / 1024 / 1024)} MB sent`);
  });

  test('a speech job through Shenbi: reset mid-audio fails the job with PROVIDER_UNAVAILABLE and stores nothing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'shenbi-provider-faults-home-'));
    const shenbi = await Shenbi.open({ overrides: { home, providers, c2pa: { enabled: false, keysDir: join(home, 'keys') } } });
    try {
      server.setRoute(SPEECH, faults.reset(tone.subarray(0, 2_000), { status: 200, headers: { 'content-type': 'audio/wav' }, declaredLength: tone.length }));
      const job = await shenbi.generate('speech', { text: 'Hello there.', model: 'faultai:tts-1' }).catch((e: unknown) => e);
      const code = job instanceof ShenbiError ? job.code : (job as { error?: { code?: string } }).error?.code;
      assert.equal(code, 'PROVIDER_UNAVAILABLE', JSON.stringify(job));
      assert.equal((await shenbi.store.artifacts.list()).length, 0);
    } finally {
      await shenbi.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
