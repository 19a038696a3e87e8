// A download that cannot reach its server (no DNS, refused, blocked, HTTP 403/5xx) fails with
// MODEL_DOWNLOAD_FAILED, says what happened in words, and names the ways out: a mirror
// endpoint (SHENBI_MODEL_ENDPOINT / HF_ENDPOINT, e.g. hf-mirror.com) and `shenbi models import`.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { ModelManager } from '../../src/models/index.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { startServer } from '../../src/server/start.ts';
import { runCliInProcess } from '../helpers/in-process-cli.ts';
import { parseSse } from '../server/helpers.ts';
import { FAST, STORIES } from './setup.ts';

let dir: string;
let forbidding: Server;
let refusedOrigin: string;
let catalogPath: string;

function entry(name: string, url: string) {
  return { name, title: name, tasks: ['text'], file: 'stories260K.gguf', url, size: STORIES.size, sha256: STORIES.sha256, license: 'MIT', description: `test entry ${name}` };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-download-errors-'));
  // A real server that blocks every request, as a firewall's or a gated repository's 403 does.
  forbidding = createServer((_req, res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('blocked'));
  await new Promise<void>((resolve) => forbidding.listen(0, '127.0.0.1', resolve));
  // A port that was just free: nothing listens there, so connecting is refused.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refusedOrigin = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  catalogPath = join(dir, 'catalog.json');
  await writeFile(
    catalogPath,
    JSON.stringify({
      version: 1,
      models: [
        entry('offline-model', 'http://nonexistent.invalid/models/stories260K.gguf'),
        entry('refused-model', `${refusedOrigin}/stories260K.gguf`),
        entry('blocked-model', `http://127.0.0.1:${(forbidding.address() as AddressInfo).port}/stories260K.gguf`),
      ],
    }),
  );
});

after(async () => {
  await new Promise<void>((resolve) => forbidding.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function assertWaysOut(error: unknown, name: string): ShenbiError {
  assert.ok(error instanceof ShenbiError, String(error));
  assert.equal(error.code, 'MODEL_DOWNLOAD_FAILED');
  const hint = error.hint ?? '';
  assert.match(hint, /SHENBI_MODEL_ENDPOINT=https:\/\/hf-mirror\.com shenbi models pull /);
  assert.match(hint, new RegExp(`shenbi models pull ${name}\\b`));
  assert.match(hint, /HF_ENDPOINT/);
  assert.match(hint, new RegExp(`shenbi models import PATH/stories260K\\.gguf --name ${name}`));
  return error;
}

test('a host that does not resolve: the name is given, no retries, and the hint names a mirror and models import', async () => {
  const manager = new ModelManager({ modelsDir: join(dir, 'models-dns'), catalogs: [catalogPath], download: FAST });
  const error = assertWaysOut(await manager.pull('offline-model').catch((e: unknown) => e), 'offline-model');
  assert.match(error.message, /cannot resolve nonexistent\.invalid: no network, or its name is blocked \((ENOTFOUND|EAI_AGAIN)\)/);
  if (error.details?.networkError === 'ENOTFOUND') assert.equal(error.details.attempts, 1, 'a name that does not resolve is not retried');
});

test('a refused connection and an HTTP 403 get the same ways out', async () => {
  const manager = new ModelManager({ modelsDir: join(dir, 'models-refused'), catalogs: [catalogPath], download: FAST });
  const refused = assertWaysOut(await manager.pull('refused-model').catch((e: unknown) => e), 'refused-model');
  assert.match(refused.message, /127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)/);
  const blocked = assertWaysOut(await manager.pull('blocked-model').catch((e: unknown) => e), 'blocked-model');
  assert.match(blocked.message, /HTTP 403/);
  assert.match(blocked.hint ?? '', /^The server refused access/, 'the specific hint comes first');
});

test('with a mirror set, the hint says the mirror failed and names another', async () => {
  const manager = new ModelManager({ modelsDir: join(dir, 'models-mirror'), catalogs: [catalogPath], modelEndpoint: 'https://mirror.example.invalid', download: FAST });
  const error = await manager.pull('refused-model').catch((e: unknown) => e);
  assert.ok(error instanceof ShenbiError && error.code === 'MODEL_DOWNLOAD_FAILED', String(error));
  assert.match(error.hint ?? '', /through the mirror https:\/\/mirror\.example\.invalid \(SHENBI_MODEL_ENDPOINT \/ HF_ENDPOINT\): try another, e\.g\. https:\/\/hf-mirror\.com/);
  assert.match(error.hint ?? '', /shenbi models import PATH\/stories260K\.gguf --name refused-model/);
});

test('`shenbi models pull` and the server’s pull (the studio’s Pull button) show the same code and hint', async (t) => {
  const home = join(dir, 'home');
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'config.json'), JSON.stringify({ catalogs: [catalogPath] }));

  const cli = await runCliInProcess(t, ['--home', home, 'models', 'pull', 'offline-model']);
  assert.equal(cli.status, 4, cli.stderr);
  assert.match(cli.stderr, /^error\[MODEL_DOWNLOAD_FAILED\]: Download of http:\/\/nonexistent\.invalid\/models\/stories260K\.gguf failed after \d+ attempts?: cannot resolve nonexistent\.invalid/m);
  assert.match(cli.stderr, /\n {2}hint: Offline, or huggingface\.co blocked\? Pull through a mirror: SHENBI_MODEL_ENDPOINT=https:\/\/hf-mirror\.com shenbi models pull offline-model/);
  assert.match(cli.stderr, /shenbi models import PATH\/stories260K\.gguf --name offline-model/);

  const shenbi = await Shenbi.open({ overrides: { home } });
  const server = await startServer(shenbi, { port: 0 });
  try {
    const response = await fetch(`${server.url}/api/models/offline-model/pull`, { method: 'POST' });
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    const failure = events.find((e) => e.event === 'error');
    assert.ok(failure !== undefined, JSON.stringify(events));
    const body = JSON.parse(failure.data) as { error?: { code?: string; hint?: string } };
    assert.equal(body.error?.code, 'MODEL_DOWNLOAD_FAILED', failure.data);
    assert.match(body.error?.hint ?? '', /SHENBI_MODEL_ENDPOINT=https:\/\/hf-mirror\.com shenbi models pull offline-model/);
    assert.match(body.error?.hint ?? '', /HF_ENDPOINT/);
    assert.match(body.error?.hint ?? '', /shenbi models import PATH\/stories260K\.gguf --name offline-model/);
  } finally {
    await server.close();
    await shenbi.close();
  }
});
