import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from './helpers.ts';

let studio: string;
let t: TestServer;
before(async () => {
  studio = mkdtempSync(join(tmpdir(), 'shenbi-studio-'));
  mkdirSync(join(studio, 'assets'));
  writeFileSync(join(studio, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(studio, 'assets', 'app-1234.js'), 'console.log(1)');
  t = await startTestServer({ withModel: false, staticDir: studio });
});
after(async () => {
  await t.close();
  rmSync(studio, { recursive: true, force: true });
});

test('staticDir: files, SPA fallback for client routes, never for /api or /v1, nothing outside the folder', async () => {
  const index = await fetch(`${t.url}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await index.text(), /<title>studio/);
  assert.match(await (await fetch(`${t.url}/gallery/item`)).text(), /<title>studio/);
  const js = await fetch(`${t.url}/assets/app-1234.js`);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  const api = await fetch(`${t.url}/api/nope`);
  assert.equal(api.status, 404);
  assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'ROUTE_NOT_FOUND');
  assert.equal((await fetch(`${t.url}/v1/nope`)).status, 404);
  const traversal = await fetch(`${t.url}/%2e%2e/%2e%2e/etc/passwd`);
  assert.doesNotMatch(await traversal.text(), /root:/);
  assert.equal((await fetch(`${t.url}/assets/missing.js`)).status, 404);
});

test('shenbi apikeys create | list | revoke; the server accepts the key until it is revoked', async () => {
  const created = await runCli(['--json', 'apikeys', 'create', '--tenant', 'acme', '--scopes', 'generate,jobs:read', '--rate', '100'], { home: t.home });
  assert.equal(created.status, 0, created.stderr);
  const key = JSON.parse(created.stdout) as { id: string; token: string; scopes: string[]; secretSha256?: string };
  assert.match(key.token, /^sk-shenbi-key_[0-9a-f]{16}\./);
  assert.equal(key.secretSha256, undefined);
  const list = await runCli(['apikeys', 'list'], { home: t.home });
  assert.match(list.stdout, new RegExp(`${key.id}\\s+acme\\s+generate,jobs:read\\s+100`));
  assert.doesNotMatch(list.stdout, new RegExp(key.token.split('.')[1]!.slice(0, 20)));

  // A second key stays active: with no active key left, a loopback server is keyless again.
  assert.equal((await runCli(['apikeys', 'create', '--tenant', 'other', '--scopes', 'jobs:read'], { home: t.home })).status, 0);
  await new Promise((r) => setTimeout(r, 1100));
  const auth = { authorization: `Bearer ${key.token}` };
  assert.equal((await fetch(`${t.url}/api/jobs`, { headers: auth })).status, 200);
  assert.equal((await fetch(`${t.url}/api/jobs`)).status, 401);
  const revoked = await runCli(['apikeys', 'revoke', key.id], { home: t.home });
  assert.equal(revoked.status, 0, revoked.stderr);
  assert.equal((await fetch(`${t.url}/api/jobs`, { headers: auth })).status, 401);
});
