import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger, defaultLogLevel } from '../../src/core/log.ts';
import { startTestServer, type TestServer } from './helpers.ts';

/** Structured logs: one JSON access line per request and job start/end lines, never keys or bodies. */

const lines: string[] = [];
let t: TestServer;
let key: string;
before(async () => {
  const logger = createLogger({ level: 'info', destination: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter((l) => l !== '')) } });
  t = await startTestServer({ withModel: false, logger });
  key = (await t.server.server.services.keys.create({ tenant: 'acme', scopes: ['generate', 'jobs:read'] })).token;
  await new Promise((r) => setTimeout(r, 1100));
});
after(() => t.close());

function parsed(): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('an access line per request: method, route pattern, status, ms, request id, tenant; no key, no body', async () => {
  const secretPrompt = 'do-not-log-this-recipient';
  const response = await fetch(`${t.url}/api/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': 'req-42' },
    body: JSON.stringify({ pipeline: 'blessing-card', input: { recipient: secretPrompt, seed: 3 } }),
  });
  assert.equal(response.status, 202);
  assert.equal(response.headers.get('x-request-id'), 'req-42');
  const { id } = (await response.json()) as { id: string };
  assert.equal((await t.shenbi.runner.wait(id)).status, 'completed');
  const status = await fetch(`${t.url}/api/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });
  assert.match(status.headers.get('x-request-id') ?? '', /^[0-9a-f]{16}$/, 'a new id when the caller sends none');
  await new Promise((r) => setTimeout(r, 200));

  const all = parsed();
  const access = all.filter((l) => l.msg === 'request');
  const post = access.find((l) => l.requestId === 'req-42');
  assert.ok(post, JSON.stringify(access));
  assert.equal(post.method, 'POST');
  assert.equal(post.route, '/api/jobs');
  assert.equal(post.status, 202);
  assert.equal(post.tenant, 'acme');
  assert.equal(typeof post.ms, 'number');
  assert.equal(post.level, 30);
  const get = access.find((l) => l.method === 'GET' && l.route === '/api/jobs/:id');
  assert.ok(get, 'the route pattern, not the path with the job id');

  const started = all.find((l) => l.msg === 'job started' && l.jobId === id);
  const completed = all.find((l) => l.msg === 'job completed' && l.jobId === id);
  assert.equal(started?.pipeline, 'blessing-card');
  assert.equal(completed?.pipeline, 'blessing-card');
  assert.ok(typeof completed?.ms === 'number' && completed.ms > 0);

  const text = lines.join('\n');
  assert.ok(!text.includes('sk-shenbi'), 'no API key');
  assert.ok(!text.includes(key.slice(-20)), 'no key secret');
  assert.ok(!text.includes(secretPrompt), 'no body');
});

test('a failed job logs its code at warn level', async () => {
  const response = await fetch(`${t.url}/api/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ task: 'text', input: { prompt: 'hello', model: 'not-installed-model' } }),
  });
  const { id } = (await response.json()) as { id: string };
  await t.shenbi.runner.wait(id);
  await new Promise((r) => setTimeout(r, 200));
  const failed = parsed().find((l) => l.msg === 'job failed' && l.jobId === id);
  assert.equal(failed?.code, 'MODEL_NOT_FOUND');
  assert.equal(failed?.level, 40);
});

test('level: SHENBI_LOG_LEVEL, else info, but silent under the test runner; a wrong level is an error', () => {
  assert.equal(defaultLogLevel({}), 'info');
  assert.equal(defaultLogLevel({ NODE_TEST_CONTEXT: 'child-v8' }), 'silent');
  assert.equal(defaultLogLevel({ NODE_TEST_CONTEXT: 'child-v8', SHENBI_LOG_LEVEL: 'debug' }), 'debug');
  assert.equal(defaultLogLevel({ SHENBI_LOG_LEVEL: 'WARN' }), 'warn');
  assert.throws(() => defaultLogLevel({ SHENBI_LOG_LEVEL: 'loud' }), /SHENBI_LOG_LEVEL/);
});
