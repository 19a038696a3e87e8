import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { startTestServer, type TestServer } from './helpers.ts';

let t: TestServer;
let client: OpenAI;
before(async () => {
  t = await startTestServer();
  // No keys exist: a loopback server accepts keyless requests; the client still needs some string.
  client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(() => t.close());

test('GET /v1/models lists the installed model', async () => {
  const models = await client.models.list();
  assert.ok(models.data.some((m) => m.id === 'stories260k' && m.owned_by === 'local'));
});

test('chat completion, plain: real text and usage', async () => {
  const r = await client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24, temperature: 0 });
  assert.equal(r.object, 'chat.completion');
  const text = r.choices[0]!.message.content ?? '';
  assert.ok(text.trim().length > 5, text);
  assert.ok(r.usage!.completion_tokens > 0 && r.usage!.prompt_tokens > 0);
  assert.match(r.choices[0]!.finish_reason, /^(stop|length)$/);
});

test('chat completion, streamed: deltas join to the same greedy text, usage chunk, [DONE]', async () => {
  const plain = await client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'A little dog' }], max_tokens: 20, temperature: 0 });
  const stream = await client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'A little dog' }], max_tokens: 20, temperature: 0, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let deltas = 0;
  let finish: string | null = null;
  let usage: { completion_tokens: number } | undefined;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice?.delta.content) {
      text += choice.delta.content;
      deltas++;
    }
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  assert.ok(deltas > 3, `only ${deltas} deltas`);
  assert.equal(text, plain.choices[0]!.message.content);
  assert.ok(finish === 'stop' || finish === 'length');
  assert.ok(usage && usage.completion_tokens > 0);
});

test('response_format json_schema constrains the output to the schema', async () => {
  const r = await client.chat.completions.create({
    model: 'stories260k',
    messages: [{ role: 'user', content: 'Name a cat.' }],
    max_tokens: 60,
    temperature: 0,
    response_format: { type: 'json_schema', json_schema: { name: 'cat', schema: { type: 'object', properties: { name: { type: 'string', maxLength: 12 }, age: { type: 'integer' } }, required: ['name', 'age'], additionalProperties: false } } },
  });
  const value = JSON.parse(r.choices[0]!.message.content!) as { name: unknown; age: unknown };
  assert.equal(typeof value.name, 'string');
  assert.ok(Number.isInteger(value.age));
});

test('a forced tool call comes back as tool_calls with JSON arguments', async () => {
  const r = await client.chat.completions.create({
    model: 'stories260k',
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    max_tokens: 80,
    temperature: 0,
    tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 10 } }, required: ['city'], additionalProperties: false } } }],
    tool_choice: { type: 'function', function: { name: 'weather' } },
  });
  const choice = r.choices[0]!;
  assert.equal(choice.finish_reason, 'tool_calls');
  const call = choice.message.tool_calls![0]!;
  assert.equal(call.type === 'function' && call.function.name, 'weather');
  assert.equal(typeof (JSON.parse(call.type === 'function' ? call.function.arguments : '{}') as { city: unknown }).city, 'string');
});

test('legacy completions continue the prompt', async () => {
  const r = await client.completions.create({ model: 'stories260k', prompt: 'Once upon a time', max_tokens: 16, temperature: 0 });
  assert.ok(r.choices[0]!.text.trim().length > 0);
});

test('embeddings: 64 dimensions from stories260K, float and base64 agree', async () => {
  const r = await client.embeddings.create({ model: 'stories260k', input: ['a cat', 'a dog'] });
  assert.equal(r.data.length, 2);
  assert.equal(r.data[0]!.embedding.length, 64);
  assert.ok(r.data[0]!.embedding.some((v) => v !== 0));
  const floats = await client.embeddings.create({ model: 'stories260k', input: 'a cat', encoding_format: 'float' });
  assert.ok(Math.abs(floats.data[0]!.embedding[5]! - r.data[0]!.embedding[5]!) < 1e-5);
});

test('speech: a labeled WAV that decodes and is not silent, stored as an artifact of a job', async () => {
  const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello from Shenbi.', response_format: 'wav' });
  assert.equal(response.headers.get('content-type'), 'audio/wav');
  const artifactId = response.headers.get('x-shenbi-artifact-id');
  assert.match(artifactId ?? '', /^art_/);
  assert.match(response.headers.get('x-shenbi-job-id') ?? '', /^job_/);
  const bytes = Buffer.from(await response.arrayBuffer());
  const audio = decodeWav(bytes);
  const rms = Math.sqrt(audio.samples.reduce((s, v) => s + v * v, 0) / audio.samples.length);
  assert.ok(audio.samples.length / audio.sampleRate > 0.5, 'at least half a second');
  assert.ok(rms > 0.01, `rms ${rms}`);
  // Governance ran: the stored artifact carries the implicit AIGC label, and the bytes served are the stored ones.
  const meta = (await (await fetch(`${t.url}/api/artifacts/${artifactId}/meta`)).json()) as { labels: { type: string }[]; sha256: string };
  assert.ok(meta.labels.length > 0, 'labeled');
  assert.equal(response.headers.get('etag'), `"${meta.sha256}"`);
});

test('speech as mp3 decodes to an MPEG frame header', async () => {
  const response = await client.audio.speech.create({ model: 'tts-1', voice: 'nova', input: 'Testing mp3.' });
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.equal(response.headers.get('content-type'), 'audio/mpeg');
  const start = bytes.subarray(0, 3).toString('latin1') === 'ID3' ? 10 + ((bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!) : 0;
  assert.equal(bytes[start], 0xff);
  assert.equal(bytes[start + 1]! & 0xe0, 0xe0);
});

test('transcription without the whisper model installed: OpenAI error shape naming the pull', async () => {
  const file = await toFile(readFileSync(join(TESTDATA, 'jfk.wav')), 'jfk.wav');
  await assert.rejects(client.audio.transcriptions.create({ model: 'whisper-1', file }), (error: unknown) => {
    const e = error as { status: number; code: string; error: { hint?: string } };
    assert.equal(e.status, 424);
    assert.equal(e.code, 'MODEL_NOT_INSTALLED');
    assert.match(String(e.error.hint), /models pull/);
    return true;
  });
});

test('moderations: a benign text passes, a listed term is flagged with its category', async () => {
  const r = await client.moderations.create({ input: ['a cat on a roof', '请给我制作炸弹教程'] });
  assert.equal(r.results[0]!.flagged, false);
  assert.equal(r.results[1]!.flagged, true);
  assert.equal((r.results[1]!.categories as unknown as Record<string, boolean>).terrorism, true);
});

test('chat input with a listed term is refused (451 GOVERNANCE_REFUSED) before the model runs', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: '制作炸弹教程' }], max_tokens: 8 }), (error: unknown) => {
    const e = error as { status: number; code: string };
    assert.equal(e.status, 451);
    assert.equal(e.code, 'GOVERNANCE_REFUSED');
    return true;
  });
});
