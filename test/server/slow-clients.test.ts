import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { newId } from '../../src/core/ids.ts';
import { pipelineSpec } from '../store/fixtures.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { parseSse, startTestServer, type TestServer } from './helpers.ts';

/**
 * Slow and greedy clients, with raw sockets: a body trickled a byte at a time is cut off within
 * its route's limit, uploads may take long while they keep moving, SSE streams outlive every
 * limit, and one address cannot hold more connections than its cap.
 */

const LIMITS = {
  headersTimeoutMs: 1500,
  bodyIdleTimeoutMs: 1500,
  bodyTimeoutMs: 3000,
  publicBodyTimeoutMs: 1000,
  uploadMinBytesPerSecond: 2000,
  uploadRateWindowMs: 1000,
  maxConnectionsPerIp: 4,
  maxConnections: 1000,
};

let t: TestServer;
before(async () => {
  t = await startTestServer({ withModel: false, limits: LIMITS });
});
after(() => t.close());

interface RawClient {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with ms since the client connected, once the server closed the connection. */
  closed: Promise<number>;
}

function rawClient(): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const socket = connect(t.server.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => {});
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - startedAt)));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Sends headers, then one body byte every `everyMs` until the server closes the socket (or 20 s pass); returns bytes sent. */
async function trickle(client: RawClient, head: string, everyMs: number): Promise<number> {
  client.socket.write(head);
  let sent = 0;
  let open = true;
  void client.closed.then(() => (open = false));
  const giveUpAt = Date.now() + 20_000;
  while (open && Date.now() < giveUpAt) {
    await new Promise((r) => setTimeout(r, everyMs));
    if (!open || client.socket.destroyed) break;
    client.socket.write('x');
    sent += 1;
  }
  client.socket.destroy();
  return sent;
}

function post(path: string, length: number, type = 'application/json'): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${t.server.port}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function get(client: RawClient, path: string): void {
  client.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${t.server.port}\r\nConnection: close\r\n\r\n`);
}

// First: later tests' fetch() keeps pooled connections open for a while, and they would count.
test('one address holds at most maxConnectionsPerIp connections: extras get 503 and are closed; after closing one, a new request works', { timeout: 60_000 }, async () => {
  const held = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerIp }, () => rawClient()));
  // Each held connection works (it is served).
  get(held[0]!, '/api/health');
  await waitFor(() => held[0]!.received().includes('"ok":true'), 'the first held connection to be served');
  await held[0]!.closed;
  const replacement = await rawClient();
  const stillHeld = [...held.slice(1), replacement];

  const extra = await rawClient();
  get(extra, '/api/health');
  const closedAfter = await extra.closed;
  assert.match(extra.received(), /^HTTP\/1\.1 503 /, extra.received());
  assert.match(extra.received(), /"code":"TOO_MANY_CONNECTIONS"/);
  assert.ok(closedAfter < 5000, `refused within ${closedAfter} ms`);

  // A refused connection that never sends a request is closed too, quickly.
  const silent = await rawClient();
  assert.ok((await silent.closed) < 5000);

  stillHeld[0]!.socket.destroy();
  await stillHeld[0]!.closed;
  // The server notices the close on its side shortly after.
  let served = false;
  for (let i = 0; i < 50 && !served; i++) {
    const next = await rawClient();
    get(next, '/api/health');
    await next.closed;
    served = next.received().includes('"ok":true');
    if (!served) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(served, 'a new connection is served once one is closed');
  for (const c of stillHeld) c.socket.destroy();
});

test('a JSON body sent one byte a second is cut off (408) within the configured total, though each byte is within the idle limit', { timeout: 60_000 }, async () => {
  const client = await rawClient();
  const sending = trickle(client, post('/api/jobs', 1000), 1000);
  const closedAfter = await client.closed;
  const sent = await sending;
  assert.match(client.received(), /^HTTP\/1\.1 408 /, client.received());
  assert.match(client.received(), /"code":"REQUEST_TIMEOUT"/);
  // Limit 3 s; the check runs every few hundred ms. Generous bound for a loaded machine.
  assert.ok(closedAfter >= LIMITS.bodyTimeoutMs - 100 && closedAfter < LIMITS.bodyTimeoutMs + 6000, `closed after ${closedAfter} ms`);
  assert.ok(sent < 1000, `only ${sent} bytes went through`);
});

test('a stalled JSON body is cut off after the idle limit', { timeout: 60_000 }, async () => {
  const client = await rawClient();
  client.socket.write(post('/v1/chat/completions', 500) + '{"model":');
  const closedAfter = await client.closed;
  assert.match(client.received(), /^HTTP\/1\.1 408 /, client.received());
  assert.ok(closedAfter < LIMITS.bodyTimeoutMs, `idle cut after ${closedAfter} ms, before the total`);
});

test('the unauthenticated webhook route gets the short public limit', { timeout: 60_000 }, async () => {
  const client = await rawClient();
  const sending = trickle(client, post('/api/webhooks/replicate/abcdefabcdefabcdef', 1000), 300);
  const closedAfter = await client.closed;
  await sending;
  assert.match(client.received(), /^HTTP\/1\.1 408 /, client.received());
  assert.ok(closedAfter < LIMITS.bodyIdleTimeoutMs + 4000, `closed after ${closedAfter} ms`);
});

test('headers sent too slowly are cut off by the headers timeout', { timeout: 60_000 }, async () => {
  const client = await rawClient();
  client.socket.write(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${t.server.port}\r\n`);
  const timer = setInterval(() => client.socket.write('X-Slow: 1\r\n'), 300);
  const closedAfter = await client.closed;
  clearInterval(timer);
  assert.ok(closedAfter < LIMITS.headersTimeoutMs + 5000, `closed after ${closedAfter} ms`);
  assert.doesNotMatch(client.received(), /"ok":true/);
});

test('an upload below the minimum rate is cut off; one that keeps moving may take longer than the JSON total', { timeout: 60_000 }, async () => {
  const slow = await rawClient();
  const sending = trickle(slow, post('/api/uploads?name=a.wav', 100_000, 'audio/wav'), 100);
  const closedAfter = await slow.closed;
  await sending;
  assert.match(slow.received(), /^HTTP\/1\.1 408 /, slow.received());
  assert.match(slow.received(), /bytes\/s/);
  assert.ok(closedAfter < LIMITS.uploadRateWindowMs * 2 + 5000, `closed after ${closedAfter} ms`);

  // 352 kB in 40 chunks over ~4 s: longer than the 3 s JSON total, far above the minimum rate.
  const wav = readFileSync(join(TESTDATA, 'jfk.wav'));
  const steady = await rawClient();
  steady.socket.write(post('/api/uploads?name=jfk.wav', wav.length, 'audio/wav'));
  const chunk = Math.ceil(wav.length / 40);
  const startedAt = Date.now();
  for (let offset = 0; offset < wav.length; offset += chunk) {
    steady.socket.write(wav.subarray(offset, offset + chunk));
    await new Promise((r) => setTimeout(r, 100));
  }
  while (!/\r\n\r\n[\s\S]*\}$/.test(steady.received()) && !steady.socket.destroyed) await new Promise((r) => setTimeout(r, 50));
  assert.ok(Date.now() - startedAt > LIMITS.bodyTimeoutMs, 'the upload took longer than a JSON body may');
  assert.match(steady.received(), /^HTTP\/1\.1 201 /, steady.received());
  assert.match(steady.received(), /"id":"upl_/);
  steady.socket.destroy();
});

test('an SSE stream lasts longer than every body and header limit', { timeout: 60_000 }, async () => {
  // A job run by "another process": the stream waits on the store until it ends.
  const jobId = newId('job');
  await t.shenbi.store.jobs.create({ id: jobId, spec: pipelineSpec(['a']), input: {} });
  await t.shenbi.store.jobs.update(jobId, { status: 'running', owner: 'elsewhere:1:x', heartbeatAt: Date.now() });
  const response = await fetch(`${t.url}/api/jobs/${jobId}/events`);
  assert.equal(response.status, 200);
  const body = response.text();
  await new Promise((r) => setTimeout(r, LIMITS.bodyTimeoutMs + 1000));
  await t.shenbi.store.jobs.update(jobId, { status: 'completed', outputs: {}, finishedAt: new Date().toISOString() });
  const events = parseSse(await body);
  assert.equal(events.at(-1)?.event, 'result', JSON.stringify(events));
});

test('the config file sets the limits (seconds) under "server"; absent ones keep their defaults', () => {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-limits-'));
  try {
    writeFileSync(join(home, 'config.json'), JSON.stringify({ server: { maxConnectionsPerIp: 7, bodyTimeoutSeconds: 2.5 } }));
    const config = loadConfig({ env: {}, overrides: { home } });
    assert.equal(config.server?.maxConnectionsPerIp, 7);
    assert.equal(config.server?.bodyTimeoutMs, 2500);
    assert.equal(config.server?.headersTimeoutMs, 10_000);
    assert.equal(config.server?.maxConnections, 1024);
    writeFileSync(join(home, 'config.json'), JSON.stringify({ server: { maxConnectionsPerIp: 0 } }));
    assert.throws(() => loadConfig({ env: {}, overrides: { home } }), /maxConnectionsPerIp/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
