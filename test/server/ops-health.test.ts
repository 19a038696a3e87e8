import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { Shenbi } from '../../src/shenbi.ts';
import type { ReadinessCheck } from '../../src/server/readiness.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startTestServer, type TestServer } from './helpers.ts';

/**
 * /healthz and /readyz: no key, no rate limit, cheap; /readyz names the dependency that does
 * not answer — a real PostgreSQL stopped under a running server, a real Redis killed.
 */

let t: TestServer;
let limitedKey: string;
before(async () => {
  t = await startTestServer({ withModel: false });
  limitedKey = (await t.server.server.services.keys.create({ tenant: 'ops', scopes: ['jobs:read'], ratePerMinute: 2 })).token;
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1100));
});
after(() => t.close());

interface Readiness {
  status: string;
  checks: { name: string; ok: boolean; detail: string | null }[];
  error: { code: string; message: string };
}

test('healthz and readyz answer without a key while keys exist, and are never rate-limited', async () => {
  assert.equal((await fetch(`${t.url}/api/jobs`)).status, 401, 'keys exist: /api needs one');
  const health = await fetch(`${t.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const ready = await fetch(`${t.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready', checks: [{ name: 'database', ok: true, detail: null }] });

  // The limited key gets 2 requests a minute on /api; health checks with it never count.
  const auth = { authorization: `Bearer ${limitedKey}` };
  for (let i = 0; i < 10; i += 1) {
    assert.equal((await fetch(`${t.url}/healthz`, { headers: auth })).status, 200);
    assert.equal((await fetch(`${t.url}/readyz`, { headers: auth })).status, 200);
  }
  const statuses = [];
  for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${t.url}/api/jobs`, { headers: auth })).status);
  assert.deepEqual(statuses, [200, 200, 429], 'the same key is limited on /api');
  assert.equal((await fetch(`${t.url}/healthz`, { headers: auth })).status, 200, 'still answered after the key is limited');
});

test('the OpenAPI document lists the ops endpoints', async () => {
  const doc = (await (await fetch(`${t.url}/api/openapi.json`, { headers: { authorization: `Bearer ${limitedKey}` } })).json()) as { paths: Record<string, { get?: { 'x-shenbi-scope'?: string; responses: Record<string, { content?: Record<string, unknown> }> } }> };
  assert.ok(doc.paths['/healthz']?.get);
  assert.ok(doc.paths['/readyz']?.get);
  assert.equal(doc.paths['/metrics']?.get?.['x-shenbi-scope'], 'admin');
  assert.ok(doc.paths['/metrics']?.get?.responses['200']?.content?.['text/plain']);
});

test('readyz: 503 naming a dependency that stops answering (a real Redis, killed), 200 again when it is back', async () => {
  const redis: TestRedis = await startRedis();
  const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  client.on('error', () => {});
  const ping: ReadinessCheck = {
    name: 'redis',
    async check() {
      await client.ping();
    },
  };
  const server = await startServer(t.shenbi, { port: 0, readinessChecks: [ping] });
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    await redis.kill();
    const down = await fetch(`${server.url}/readyz`);
    assert.equal(down.status, 503);
    const body = (await down.json()) as Readiness;
    assert.equal(body.status, 'unavailable');
    assert.equal(body.error.code, 'NOT_READY');
    assert.match(body.error.message, /redis/);
    assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['database', true], ['redis', false]]);
    assert.ok((body.checks[1]!.detail ?? '').length > 0);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'alive while not ready');
    await redis.restart();
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline && (status = (await fetch(`${server.url}/readyz`)).status) !== 200) await new Promise((r) => setTimeout(r, 100));
    assert.equal(status, 200);
  } finally {
    await server.close();
    client.disconnect();
    await redis.stop();
  }
});

test('readyz: 503 naming the database when PostgreSQL stops; healthz stays 200 (it touches no database)', async () => {
  const pg: TestPostgres = await startPostgres();
  const home = mkdtempSync(join(tmpdir(), 'shenbi-ops-pg-'));
  const shenbi = await Shenbi.open({ overrides: { home, database: pg.url } });
  let server: RunningServer | undefined;
  try {
    server = await startServer(shenbi, { port: 0 });
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    await pg.stop();
    const started = Date.now();
    const down = await fetch(`${server.url}/readyz`);
    assert.ok(Date.now() - started < 5000, 'bounded in time');
    assert.equal(down.status, 503);
    const body = (await down.json()) as Readiness;
    assert.equal(body.checks.find((c) => c.name === 'database')?.ok, false, JSON.stringify(body));
    assert.ok(!/\/\/[^/@\s]+:[^/@\s]+@/.test(JSON.stringify(body)), 'no credentials in details');
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    await server?.close().catch(() => {});
    await shenbi.close().catch(() => {});
    await pg.stop().catch(() => {});
    rmSync(home, { recursive: true, force: true });
  }
});
