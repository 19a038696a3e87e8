import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { ServerServices } from '../../src/server/context.ts';
import { pipelineForTask } from '../../src/pipelines/index.ts';
import { CHAT_BASE_OVERHEAD_TOKENS, CHAT_MESSAGE_OVERHEAD_TOKENS, estimateJob, speechSecondsBound } from '../../src/server/quota/estimates.ts';
import { parseSse, startTestServer, type TestServer } from './helpers.ts';

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

let t: TestServer;
const keys: Record<string, { id: string; token: string }> = {};
const LONG_TEXT = 'This sentence is far too long to be spoken within a single second of audio, whatever the voice.';
/** The chat every concurrency test sends: its reservation is the prompt bound plus max_tokens. */
const CHAT = { model: 'stories260k', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 40, temperature: 0 };
const CHAT_RESERVATION = CHAT_BASE_OVERHEAD_TOKENS + CHAT_MESSAGE_OVERHEAD_TOKENS + 'Hi'.length + CHAT.max_tokens;

before(async () => {
  t = await startTestServer();
  const repository = t.server.server.services.keys;
  const make = async (name: string, quotas: { quotaTokens?: number; quotaMediaSeconds?: number }) => {
    const { key, token } = await repository.create({ tenant: name, scopes: ['generate', 'jobs:read'], ...quotas });
    keys[name] = { id: key.id, token };
  };
  await make('media', { quotaMediaSeconds: 1 });
  await make('openai-media', { quotaMediaSeconds: 1 });
  await make('tiny', { quotaTokens: 10 });
  // Room for one of the chats below: a second cannot fit, neither beside it nor after it (it used some).
  await make('one-chat', { quotaTokens: CHAT_RESERVATION + 1 });
  await make('streams', { quotaTokens: CHAT_RESERVATION + 1 });
  await make('aborted', { quotaTokens: 100_000 });
  await make('text-job', { quotaTokens: 1000 });
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1100));
});
after(() => t.close());

function call(path: string, token: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Today's usage of a key's tenant, with what open reservations hold. */
async function usageOf(name: string) {
  const { keys: repository, quotas } = t.server.server.services as Partial<ServerServices> & Pick<ServerServices, 'keys'>;
  const used = await repository.usage(keys[name]!.id);
  const held = quotas === undefined ? { reservedTokens: 0, reservedMediaMs: 0 } : await quotas.reservations.day(keys[name]!.id);
  return { ...used, reservedTokens: held.reservedTokens, reservedMediaMs: held.reservedMediaMs };
}

function durationOf(path: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim());
}

/** Submits a speech job; returns its final view, or the refusal. */
async function speechJob(name: string, text: string): Promise<{ status: number; error?: ErrorBody['error']; audio?: string }> {
  const r = await call('/api/jobs', keys[name]!.token, { task: 'speech', input: { text } });
  if (r.status !== 202) return { status: r.status, error: ((await r.json()) as ErrorBody).error };
  const { id } = (await r.json()) as { id: string };
  const events = parseSse(await (await call(`/api/jobs/${id}/events`, keys[name]!.token)).text());
  const final = events.at(-1)!;
  assert.equal(final.event, 'result', final.data);
  const view = JSON.parse(final.data) as { artifacts: { id: string; mimeType: string }[] };
  const audio = view.artifacts.find((a) => a.mimeType.startsWith('audio/'))!;
  const artifact = await t.shenbi.store.artifacts.get(audio.id);
  return { status: 202, audio: (await t.shenbi.store.blobs.localPath(artifact.blobRef)) };
}

/** Until the job-end listener has settled every reservation of a key. */
async function settled(name: string): Promise<Awaited<ReturnType<typeof usageOf>>> {
  for (let i = 0; i < 800; i++) {
    const usage = await usageOf(name);
    if (usage.reservedTokens === 0 && usage.reservedMediaMs === 0) return usage;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`reservations of ${name} were never settled: ${JSON.stringify(await usageOf(name))}`);
}

test('a 1-second media quota refuses a speech job whose text takes longer, allows short ones, and counts their real length', async () => {
  assert.ok(speechSecondsBound(LONG_TEXT) > 1);
  const refused = await speechJob('media', LONG_TEXT);
  assert.equal(refused.status, 429, JSON.stringify(refused));
  assert.equal(refused.error?.code, 'QUOTA_EXCEEDED');
  assert.match(refused.error?.message ?? '', /media seconds/);
  const listed = (await (await call('/api/jobs', keys.media!.token)).json()) as { data: unknown[] };
  assert.deepEqual(listed.data, [], 'a refused job is never created');

  // "Hi" is estimated at half a second (spoken in about 0.36 s): two fit in one second, a third does not.
  const first = await speechJob('media', 'Hi');
  assert.equal(first.status, 202, JSON.stringify(first));
  const afterFirst = await settled('media');
  assert.equal(afterFirst.mediaMs, Math.ceil(durationOf(first.audio!) * 1000), 'usage is the real length of the audio');
  const second = await speechJob('media', 'Ho');
  assert.equal(second.status, 202, JSON.stringify(second));
  const afterSecond = await settled('media');
  assert.equal(afterSecond.mediaMs, afterFirst.mediaMs + Math.ceil(durationOf(second.audio!) * 1000));
  assert.ok(afterSecond.mediaMs <= 1000, `within the quota: ${afterSecond.mediaMs} ms`);
  const third = await speechJob('media', 'Hello there');
  assert.equal(third.status, 429, 'what is left of the second does not hold another estimate');
  assert.equal((await usageOf('media')).mediaMs, afterSecond.mediaMs);
});

test('/v1/audio/speech runs a job: the same media quota refuses long speech and allows short', async () => {
  const long = await call('/v1/audio/speech', keys['openai-media']!.token, { model: 'tts-1', voice: 'alloy', input: LONG_TEXT, response_format: 'wav' });
  assert.equal(long.status, 429, await long.clone().text());
  assert.equal(((await long.json()) as ErrorBody).error.code, 'QUOTA_EXCEEDED');
  const short = await call('/v1/audio/speech', keys['openai-media']!.token, { model: 'tts-1', voice: 'alloy', input: 'Hi', response_format: 'wav' });
  assert.equal(short.status, 200, await short.clone().text());
  const seconds = Number(short.headers.get('x-shenbi-duration'));
  await short.arrayBuffer();
  const usage = await settled('openai-media');
  assert.ok(usage.mediaMs > 0 && Math.abs(usage.mediaMs - seconds * 1000) < 50, `${usage.mediaMs} ms counted for ${seconds} s of speech`);
});

interface ChatAnswer {
  status: number;
  code?: string;
  usage?: { total_tokens: number };
}

async function chat(name: string, body: Record<string, unknown>): Promise<ChatAnswer> {
  const r = await call('/v1/chat/completions', keys[name]!.token, body);
  const text = await r.text();
  if (r.status !== 200) return { status: r.status, code: (JSON.parse(text) as ErrorBody).error.code };
  if (body.stream === true) {
    const chunks = parseSse(text).map((e) => e.data).filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as { usage?: { total_tokens: number }; error?: unknown });
    assert.ok(!chunks.some((c) => c.error !== undefined), text);
    const usage = chunks.find((c) => c.usage !== undefined)?.usage;
    return { status: 200, ...(usage === undefined ? {} : { usage }) };
  }
  return { status: 200, usage: (JSON.parse(text) as { usage: { total_tokens: number } }).usage };
}

test('five concurrent chats on a 10-token quota spend at most 10 tokens: a chat that cannot fit is refused before it runs', async () => {
  const answers = await Promise.all(Array.from({ length: 5 }, () => chat('tiny', CHAT)));
  for (const a of answers) assert.deepEqual(a, { status: 429, code: 'QUOTA_EXCEEDED' });
  // A text job is held to the same tokens.
  const job = await call('/api/jobs', keys.tiny!.token, { task: 'text', input: { prompt: 'Once upon a time', maxTokens: 8 } });
  assert.equal(job.status, 429, await job.clone().text());
  assert.equal(((await job.json()) as ErrorBody).error.code, 'QUOTA_EXCEEDED');
  const usage = await usageOf('tiny');
  assert.ok(usage.tokens <= 10, `${usage.tokens} tokens used`);
  assert.equal(usage.reservedTokens, 0);
});

test('a text job reserves its prompt bound plus maxTokens and is charged no more than that', async () => {
  const r = await call('/api/jobs', keys['text-job']!.token, { task: 'text', input: { prompt: 'Once upon a time', maxTokens: 8 } });
  assert.equal(r.status, 202, await r.clone().text());
  const { id } = (await r.json()) as { id: string };
  const final = parseSse(await (await call(`/api/jobs/${id}/events`, keys['text-job']!.token)).text()).at(-1)!;
  assert.equal(final.event, 'result', final.data);
  const usage = await settled('text-job');
  const text = String((JSON.parse(final.data) as { outputs: { text: string } }).outputs.text);
  const { tokens: reserved } = await estimateJob(pipelineForTask('text', { prompt: 'Once upon a time', maxTokens: 8 }), {}, { mediaSeconds: async () => undefined, labelSecondsPerOutput: 0 });
  assert.ok(reserved < CHAT_BASE_OVERHEAD_TOKENS + 64, `a small reservation: ${reserved}`);
  assert.ok(usage.tokens > 0 && usage.tokens <= reserved, `${usage.tokens} tokens charged, ${reserved} reserved`);
  assert.ok(usage.tokens >= Math.min(reserved, Buffer.byteLength(text)), `${usage.tokens} tokens charged for ${JSON.stringify(text)}`);
});

for (const stream of [false, true]) {
  test(`five concurrent ${stream ? 'streamed ' : ''}chats with room for one: the rest refused (429), total within the quota, usage = the real usage`, async () => {
    const name = stream ? 'streams' : 'one-chat';
    const quota = CHAT_RESERVATION + 1;
    const body = stream ? { ...CHAT, stream: true, stream_options: { include_usage: true } } : CHAT;
    const answers = await Promise.all(Array.from({ length: 5 }, () => chat(name, body)));
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(served.length + refused.length, 5, JSON.stringify(answers));
    assert.deepEqual([served.length, refused.length], [1, 4], JSON.stringify(answers));
    for (const a of refused) assert.equal(a.code, 'QUOTA_EXCEEDED');
    const usage = await settled(name);
    const real = served.reduce((n, a) => n + a.usage!.total_tokens, 0);
    assert.ok(real > 0);
    assert.equal(usage.tokens, real, 'after settling, usage is what the model reported');
    assert.ok(usage.tokens <= quota, `${usage.tokens} of ${quota}`);
  });
}

test('a key with a token quota cannot ask beyond the documented output cap; a stream the client abandons releases its reservation', async () => {
  const over = await call('/v1/chat/completions', keys.aborted!.token, { ...CHAT, max_tokens: 100_000 });
  assert.equal(over.status, 400);
  assert.equal(((await over.json()) as ErrorBody).error.code, 'INVALID_INPUT');

  const controller = new AbortController();
  const r = await call('/v1/chat/completions', keys.aborted!.token, { ...CHAT, max_tokens: 2000, stream: true }, controller.signal);
  assert.equal(r.status, 200);
  const reader = r.body!.getReader();
  await reader.read();
  assert.ok((await usageOf('aborted')).reservedTokens > 0, 'held while the stream runs');
  controller.abort();
  await reader.cancel().catch(() => {});
  const usage = await settled('aborted');
  assert.equal(usage.tokens, 0, 'released, not charged at the reserved amount');
});

test('a reservation left by a server that died (bound to its job) is settled from the job by the sweep', async () => {
  const { quotas } = t.server.server.services;
  const done = await speechJob('aborted', 'Hello');
  const before = await settled('aborted');
  // What a crash between the job's end and its settlement leaves: an open reservation of an ended job.
  const jobs = await t.server.server.services.keys.tenantJobIds('aborted', 1);
  const leftover = await quotas.reservations.reserve(keys.aborted!.id, { tokens: 0, mediaMs: 5000 }, { tokens: null, mediaSeconds: null }, 'job', jobs[0]!);
  assert.equal((await usageOf('aborted')).reservedMediaMs, 5000);
  await quotas.sweep();
  const after = await usageOf('aborted');
  assert.equal(after.reservedMediaMs, 0);
  assert.equal(after.mediaMs - before.mediaMs, Math.ceil(durationOf(done.audio!) * 1000), 'charged the real length, not the reserved 5 s');
  assert.equal(await quotas.reservations.settle(leftover.id, { tokens: 0, mediaMs: 0 }), false, 'settled once');
});
