import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import { errorResponse } from '../../src/server/http-error.ts';
import { assertJsonDepth, MAX_JSON_DEPTH } from '../../src/server/middleware/json-body.ts';
import { startTestServer, type TestServer } from './helpers.ts';

/**
 * Malformed requests are the client's error (4xx with a stable code and the issues), never a
 * 500: bad query strings, malformed multipart, JSON nested thousands deep. One check per
 * route family.
 */

interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } };
}

let t: TestServer;
before(async () => {
  t = await startTestServer({ withModel: false });
});
after(() => t.close());

async function expectError(response: Promise<Response>, status: number, code: string, what: string): Promise<ErrorBody> {
  const r = await response;
  const text = await r.text();
  assert.equal(r.status, status, `${what}: ${text}`);
  const body = JSON.parse(text) as ErrorBody;
  assert.equal(body.error.code, code, what);
  assert.doesNotMatch(text, /\n\s+at |node_modules|\.ts:\d+/, `${what}: no stack in the body`);
  return body;
}

test('jobs: a bad or unknown query parameter is 400 INVALID_INPUT naming it', async () => {
  for (const query of ['limit=abc', 'limit=0', 'limit=1e9', 'limit=2.5', 'limit=', 'bogus=1', 'limit=x&limit=1']) {
    const body = await expectError(fetch(`${t.url}/api/jobs?${query}`), 400, 'INVALID_INPUT', `GET /api/jobs?${query}`);
    assert.ok((body.error.details?.issues?.length ?? 0) > 0, `issues for ${query}`);
  }
  const issues = (await expectError(fetch(`${t.url}/api/jobs?bogus=1`), 400, 'INVALID_INPUT', 'unknown key')).error.details!.issues!;
  assert.match(JSON.stringify(issues), /bogus/);
  assert.equal((await fetch(`${t.url}/api/jobs?limit=3`)).status, 200);
});

test('artifacts and uploads: unknown query parameters are 400, not 500', async () => {
  await expectError(fetch(`${t.url}/api/artifacts?job=a&bogus=1`), 400, 'INVALID_INPUT', 'GET /api/artifacts?bogus');
  await expectError(fetch(`${t.url}/api/uploads?size=1`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: 'RIFF' }), 400, 'INVALID_INPUT', 'POST /api/uploads?size');
  await expectError(fetch(`${t.url}/api/uploads?name=${'n'.repeat(2000)}`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: 'RIFF' }), 400, 'INVALID_INPUT', 'POST /api/uploads?name too long');
});

function multipart(type: string, body: string): Promise<Response> {
  return fetch(`${t.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': type }, body });
}

test('audio transcriptions: malformed multipart is 400 (no boundary, truncated, not multipart inside), another type is 415', async () => {
  const part = '--XYZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF....';
  await expectError(multipart('multipart/form-data; charset=utf-8', part), 400, 'INVALID_INPUT', 'no boundary');
  await expectError(multipart('multipart/form-data; boundary=', part), 400, 'INVALID_INPUT', 'empty boundary');
  await expectError(multipart('multipart/form-data; boundary=XYZ', part), 400, 'INVALID_INPUT', 'truncated (no closing boundary)');
  await expectError(multipart('multipart/form-data; boundary=XYZ', '{"model":"whisper-1"}'), 400, 'INVALID_INPUT', 'JSON under a multipart type');
  await expectError(multipart('multipart/form-data; boundary=OTHER', part), 400, 'INVALID_INPUT', 'wrong boundary');
  await expectError(multipart('application/json', '{"model":"whisper-1"}'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'JSON');
  // A well-formed form without a file still says what is missing.
  const noFile = '--XYZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--XYZ--\r\n';
  const body = await expectError(multipart('multipart/form-data; boundary=XYZ', noFile), 400, 'INVALID_INPUT', 'no file');
  assert.equal(body.error.details?.issues?.[0]?.path, 'file');
});

function nested(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

function postJson(path: string, body: string): Promise<Response> {
  return fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

test('JSON nested 5,000 deep is 400 INVALID_INPUT on every JSON route family, never a stack overflow', async () => {
  const deep = nested(5000);
  const cases: [string, string][] = [
    ['/api/jobs', `{"pipeline":{"id":"x","steps":[{"id":"a","type":"text.generate","input":{"v":${deep}}}]},"input":{}}`],
    ['/api/jobs', `{"task":"speech","input":{"text":"hi","voice":${deep}}}`],
    ['/v1/chat/completions', `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"p":${deep}}}}]}`],
    ['/v1/embeddings', `{"model":"m","input":${deep}}`],
    ['/v1/images/generations', `{"prompt":"x","extra":${deep}}`],
    ['/v1/moderations', `{"input":${deep}}`],
    ['/v1/audio/speech', `{"model":"m","input":"x","voice":${deep}}`],
    ['/api/webhooks/replicate/sometoken', `{"id":"x","output":${deep}}`],
  ];
  for (const [path, body] of cases) {
    const error = await expectError(postJson(path, body), 400, 'INVALID_INPUT', `POST ${path}`);
    assert.match(error.error.message, /nested more than 64 levels/, path);
  }
  // The server is alive and well.
  assert.equal((await fetch(`${t.url}/api/health`)).status, 200);
});

test('the depth limit counts arrays and objects outside strings only', () => {
  assert.doesNotThrow(() => assertJsonDepth(nested(MAX_JSON_DEPTH)));
  assert.throws(() => assertJsonDepth(nested(MAX_JSON_DEPTH + 1)), /nested more than/);
  assert.doesNotThrow(() => assertJsonDepth(JSON.stringify({ text: '['.repeat(10_000), quoted: 'a\\"[[[' })));
  assert.doesNotThrow(() => assertJsonDepth(JSON.stringify({ a: [{ b: [{ c: 1 }] }] })));
});

test('a stack overflow anywhere in a handler is answered 400, not a 500 with a stack', async () => {
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error));
  const recurse = (n: number): number => recurse(n + 1) + 1;
  app.get('/deep', () => new Response(String(recurse(0))));
  const response = await app.request('/deep');
  const text = await response.text();
  assert.equal(response.status, 400, text);
  assert.equal((JSON.parse(text) as ErrorBody).error.code, 'INVALID_INPUT');
  assert.doesNotMatch(text, /Maximum call stack|\n\s+at /);
});
