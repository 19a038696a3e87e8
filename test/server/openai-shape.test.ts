import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { startTestServer, type TestServer } from './helpers.ts';

/** Issue #17 item 6: the OpenAI API's shape where it differed (JSON modes cut short, Opus speech). */

let t: TestServer;
let client: OpenAI;
before(async () => {
  t = await startTestServer();
  client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(() => t.close());

const CAT_SCHEMA = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'], additionalProperties: false };

test('response_format json_object: grammar-constrained JSON, never a 500 (cut short → finish_reason length)', async () => {
  const r = await client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content: 'Name a cat.' }], max_tokens: 40, temperature: 0, response_format: { type: 'json_object' } });
  const choice = r.choices[0]!;
  const content = choice.message.content ?? '';
  assert.match(content, /^\s*\{/, 'JSON from the first character (the grammar holds)');
  if (choice.finish_reason === 'stop') assert.equal(typeof JSON.parse(content), 'object');
  else assert.equal(choice.finish_reason, 'length');
  assert.ok(r.usage!.completion_tokens > 0);
});

test('hitting max_tokens in json_schema output answers finish_reason length with the partial content, as OpenAI does', async () => {
  const r = await client.chat.completions.create({
    model: 'stories260k',
    messages: [{ role: 'user', content: 'Name a cat.' }],
    max_tokens: 5,
    temperature: 0,
    response_format: { type: 'json_schema', json_schema: { name: 'cat', schema: CAT_SCHEMA } },
  });
  const choice = r.choices[0]!;
  assert.equal(choice.finish_reason, 'length');
  assert.match(choice.message.content ?? '', /^\s*\{/);
  assert.throws(() => JSON.parse(choice.message.content ?? ''), 'partial JSON, as it was cut');
  assert.equal(r.usage!.completion_tokens, 5);
});

test('speech with response_format opus is Opus in Ogg (audio/opus, as OpenAI), and keeps its labels', async () => {
  const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello from Shenbi in Opus.', response_format: 'opus' });
  assert.equal(response.headers.get('content-type'), 'audio/opus');
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'OggS');
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-opus-'));
  try {
    await writeFile(join(dir, 'speech.ogg'), bytes);
    const probe = await promisify(execFile)('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate:format=format_name,duration', '-of', 'json', join(dir, 'speech.ogg')]);
    const info = JSON.parse(probe.stdout) as { streams: { codec_name: string; sample_rate: string }[]; format: { format_name: string; duration: string } };
    assert.deepEqual(info.streams.map((s) => s.codec_name), ['opus']);
    assert.equal(info.format.format_name, 'ogg');
    assert.ok(Number(info.format.duration) > 1, `duration ${info.format.duration} (the audible label plus the words)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // The labels survived the Opus path: the implicit AIGC label in the Ogg comments, and the store's record.
  const verified = await verifyLabels(bytes);
  assert.equal(verified.implicit.valid, true, JSON.stringify(verified.problems));
  assert.equal(verified.verdict, 'labeled', JSON.stringify(verified.problems));
  const meta = (await (await fetch(`${t.url}/api/artifacts/${response.headers.get('x-shenbi-artifact-id')}/meta`)).json()) as { labels: { type: string }[]; mimeType: string };
  assert.equal(meta.mimeType, 'audio/ogg');
  assert.ok(meta.labels.some((l) => l.type === 'aigc-explicit') && meta.labels.some((l) => l.type === 'aigc-implicit'), JSON.stringify(meta.labels));
});
