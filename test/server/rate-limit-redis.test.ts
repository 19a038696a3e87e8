import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startTestServer, type TestServer } from './helpers.ts';

/**
 * Rate limits across servers: two API servers sharing one real Redis count a key's requests
 * together (N per minute in total, then 429 with Retry-After); without Redis each server counts
 * its own (the control that shows the test can fail); with Redis gone they fail open to local
 * counting instead of refusing the API.
 */

const N = 5;
let t: TestServer;
let redis: TestRedis;
before(async () => {
  t = await startTestServer({ withModel: false });
  redis = await startRedis();
});
after(async () => {
  await t.close();
  await redis.stop();
});

async function newKey(): Promise<string> {
  return (await t.server.server.services.keys.create({ tenant: 'ops', scopes: ['jobs:read'], ratePerMinute: N })).token;
}

async function twoServers(rateLimitRedisUrl: string | null): Promise<RunningServer[]> {
  const servers = [await startServer(t.shenbi, { port: 0, rateLimitRedisUrl }), await startServer(t.shenbi, { port: 0, rateLimitRedisUrl })];
  // Keys existing is noticed within a second of their creation; the Redis client connects meanwhile.
  await new Promise((r) => setTimeout(r, 1100));
  return servers;
}

/** Alternates between the servers; the status and Retry-After of each request. */
async function hammer(servers: RunningServer[], key: string, count: number): Promise<Array<{ status: number; retryAfter: string | null; code?: string }>> {
  const results = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${servers[i % servers.length]!.url}/api/jobs`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as { error?: { code: string } };
    results.push({ status: response.status, retryAfter: response.headers.get('retry-after'), ...(body.error ? { code: body.error.code } : {}) });
  }
  return results;
}

test('two servers on one Redis: a key gets N requests in total, then 429 with Retry-After, on either server', async () => {
  // The key first: servers notice that keys exist within a second, which twoServers waits out.
  const key = await newKey();
  const servers = await twoServers(redis.url);
  try {
    const results = await hammer(servers, key, N + 3);
    assert.deepEqual(results.map((r) => r.status), [...Array(N).fill(200), 429, 429, 429]);
    for (const refused of results.slice(N)) {
      assert.equal(refused.code, 'RATE_LIMITED');
      const seconds = Number(refused.retryAfter);
      // One token per 60/N s: the wait is at most that, at least a second.
      assert.ok(seconds >= 1 && seconds <= 60 / N, `Retry-After ${refused.retryAfter}`);
    }
  } finally {
    for (const server of servers) await server.close();
  }
});

test('control: without Redis each server counts alone, so the key gets 2N', async () => {
  // The key first: servers notice that keys exist within a second, which twoServers waits out.
  const key = await newKey();
  const servers = await twoServers(null);
  try {
    const results = await hammer(servers, key, 2 * N + 2);
    assert.equal(results.filter((r) => r.status === 200).length, 2 * N);
  } finally {
    for (const server of servers) await server.close();
  }
});

test('Redis down: requests are still answered (fail open to counting per server), and shared counting resumes when it is back', async () => {
  // The key first: servers notice that keys exist within a second, which twoServers waits out.
  const key = await newKey();
  const servers = await twoServers(redis.url);
  try {
    assert.deepEqual((await hammer(servers, key, 2)).map((r) => r.status), [200, 200]);
    await redis.kill();
    const during = await hammer(servers, key, 2 * N + 2);
    // Per server and fresh: each server's own bucket lets N through, then 429 (never 503).
    assert.equal(during.filter((r) => r.status === 200).length, 2 * N);
    assert.ok(during.every((r) => r.status === 200 || r.code === 'RATE_LIMITED'), JSON.stringify(during));
    await redis.restart();
    // The servers' clients reconnect with ioredis's backoff (at most 2 s between tries).
    await new Promise((r) => setTimeout(r, 2500));
    const other = await newKey();
    await new Promise((r) => setTimeout(r, 1100));
    const after = await hammer(servers, other, N + 2);
    assert.deepEqual(after.map((r) => r.status), [...Array(N).fill(200), 429, 429], 'shared again: N in total');
  } finally {
    for (const server of servers) await server.close();
  }
});
