import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { startServer } from '../../src/server/start.ts';
import { parseSse, startTestServer, type TestServer } from './helpers.ts';

interface ErrorBody {
  error: { code: string; type: string; message: string };
}

let t: TestServer;
const tokens: Record<string, string> = {};
before(async () => {
  t = await startTestServer({ withModel: false });
  const keys = t.server.server.services.keys;
  tokens.alice = (await keys.create({ tenant: 'alice', scopes: ['generate', 'jobs:read'] })).token;
  tokens.bob = (await keys.create({ tenant: 'bob', scopes: ['generate', 'jobs:read'] })).token;
  tokens.readOnly = (await keys.create({ tenant: 'alice', scopes: ['jobs:read'] })).token;
  tokens.limited = (await keys.create({ tenant: 'carol', scopes: ['jobs:read'], ratePerMinute: 3 })).token;
  tokens.quota = (await keys.create({ tenant: 'dave', scopes: ['jobs:read'], quotaRequests: 2 })).token;
  const revoked = await keys.create({ tenant: 'alice', scopes: ['admin'] });
  await keys.revoke(revoked.key.id);
  tokens.revoked = revoked.token;
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1100));
});
after(() => t.close());

function call(path: string, token: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${t.url}${path}`, { ...init, headers });
}

async function expectError(response: Promise<Response>, status: number, code: string, what: string): Promise<ErrorBody> {
  const r = await response;
  const body = (await r.json()) as ErrorBody;
  assert.equal(r.status, status, `${what}: ${JSON.stringify(body)}`);
  assert.equal(body.error.code, code, what);
  return body;
}

test('auth matrix: no key, wrong key, revoked key → 401; missing scope → 403; another tenant → 404, never the data', async () => {
  const submitted = await call('/api/jobs', tokens.alice, { method: 'POST', body: JSON.stringify({ pipeline: 'blessing-card', input: { recipient: 'Alice', seed: 5 } }) });
  assert.equal(submitted.status, 202);
  const { id } = (await submitted.json()) as { id: string };
  const events = parseSse(await (await call(`/api/jobs/${id}/events`, tokens.alice)).text());
  const result = JSON.parse(events.at(-1)!.data) as { artifacts: { id: string }[] };
  const artifactId = result.artifacts[0]!.id;

  await expectError(call(`/api/jobs/${id}`, undefined), 401, 'UNAUTHORIZED', 'no key');
  const wrong = `${tokens.alice!.slice(0, -4)}AAAA`;
  await expectError(call(`/api/jobs/${id}`, wrong), 401, 'UNAUTHORIZED', 'wrong secret');
  await expectError(call(`/api/jobs/${id}`, 'sk-garbage'), 401, 'UNAUTHORIZED', 'malformed key');
  await expectError(call(`/api/jobs/${id}`, tokens.revoked), 401, 'UNAUTHORIZED', 'revoked key');
  await expectError(call('/v1/models', undefined), 401, 'UNAUTHORIZED', 'no key on /v1');
  await expectError(call('/api/jobs', tokens.readOnly, { method: 'POST', body: JSON.stringify({ task: 'speech', input: { text: 'x' } }) }), 403, 'FORBIDDEN', 'no generate scope');

  // Bob sees none of Alice's work: not the job, its events, its artifact or its metadata.
  for (const path of [`/api/jobs/${id}`, `/api/jobs/${id}/events`, `/api/artifacts/${artifactId}`, `/api/artifacts/${artifactId}/meta`]) {
    const r = await call(path, tokens.bob);
    const text = await r.text();
    assert.equal(r.status, 404, `${path}: ${text}`);
    assert.ok(!text.includes('Alice') && !text.includes('image/png'), `${path} leaks data: ${text}`);
    assert.match((JSON.parse(text) as ErrorBody).error.code, /^(JOB|ARTIFACT)_NOT_FOUND$/);
  }
  await expectError(call(`/api/jobs/${id}/cancel`, tokens.bob, { method: 'POST', body: '{}' }), 404, 'JOB_NOT_FOUND', 'cancel by another tenant');
  const bobsList = (await (await call('/api/jobs', tokens.bob)).json()) as { data: unknown[] };
  assert.deepEqual(bobsList.data, []);
  const bobsArtifacts = (await (await call('/api/artifacts', tokens.bob)).json()) as { data: unknown[] };
  assert.deepEqual(bobsArtifacts.data, []);

  // Alice (and her read-only key, same tenant) do see it.
  assert.equal((await call(`/api/jobs/${id}`, tokens.alice)).status, 200);
  assert.equal((await call(`/api/artifacts/${artifactId}`, tokens.readOnly)).status, 200);
  const alicesList = (await (await call('/api/jobs', tokens.alice)).json()) as { data: { id: string }[] };
  assert.deepEqual(alicesList.data.map((j) => j.id), [id]);

  // A keyed caller cannot point a media input at the server's files.
  await expectError(
    call('/api/jobs', tokens.alice, { method: 'POST', body: JSON.stringify({ task: 'transcription', input: { audio: '/etc/passwd' } }) }),
    403,
    'PATH_NOT_ALLOWED',
    'local path from a key',
  );
});

test('rate limit: a token bucket per key, 429 with Retry-After', async () => {
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 5; i++) {
    const r = await call('/api/pipelines', tokens.limited);
    statuses.push(r.status);
    if (r.status === 429) {
      retryAfter = r.headers.get('retry-after');
      assert.equal(((await r.json()) as ErrorBody).error.code, 'RATE_LIMITED');
    } else await r.arrayBuffer();
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 20, String(retryAfter));
});

test('daily request quota: 429 QUOTA_EXCEEDED with Retry-After until UTC midnight', async () => {
  assert.equal((await call('/api/pipelines', tokens.quota)).status, 200);
  assert.equal((await call('/api/pipelines', tokens.quota)).status, 200);
  const r = await call('/api/pipelines', tokens.quota);
  assert.equal(r.status, 429);
  assert.equal(((await r.json()) as ErrorBody).error.code, 'QUOTA_EXCEEDED');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
});

test('binding a non-loopback address is refused while no key exists, allowed once one does', async () => {
  const fresh = await startTestServer({ withModel: false });
  try {
    await assert.rejects(startServer(fresh.shenbi, { host: '0.0.0.0', port: 0 }), (e: unknown) => e instanceof ShenbiError && e.code === 'BIND_REFUSED');
    await fresh.server.server.services.keys.create({ tenant: 'ops', scopes: ['admin'] });
    const open = await startServer(fresh.shenbi, { host: '0.0.0.0', port: 0 });
    try {
      assert.equal(open.server.loopback, false);
      // Reachable through loopback too, and keys are required.
      const r = await fetch(`http://127.0.0.1:${open.port}/v1/models`);
      assert.equal(r.status, 401);
    } finally {
      await open.close();
    }
  } finally {
    await fresh.close();
  }
});
