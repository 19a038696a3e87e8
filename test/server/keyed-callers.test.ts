import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { ShenbiError } from '../../src/core/errors.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { openDatabase } from '../../src/store/db/connect.ts';
import { runCli } from '../helpers/cli.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { parseSse } from './helpers.ts';

/**
 * What keyed callers read: never the keyless local user's work (even as a tenant named
 * "local"), and never the server's file paths in a job's error, its steps, the job list or
 * the event stream.
 */

let home: string;
let shenbi: Shenbi;
let server: RunningServer;

/** A step failing the way engines do: a message, details and a stack-like tail naming server files. */
const pathyFailure: StepDefinition = {
  type: 'test.fail-with-path',
  title: 'fails naming server files',
  version: '1',
  inputs: {},
  outputs: { value: { type: 'number' } },
  cacheable: false,
  async run(ctx) {
    ctx.progress({ fraction: 0.5, message: `reading ${join(tmpdir(), 'shenbi-x', 'in.wav')}` });
    throw new ShenbiError('MEDIA_INVALID', `cannot read ${join(home, 'tmp', 'work', '1-t0-edit-abc', 'in.wav')}: ENOENT: no such file, open '/etc/shenbi/secret.wav'\n    at run (${process.cwd()}/src/engines/x.ts:12:7)`, {
      hint: `Check ${homedir()}/.shenbi/models`,
      details: { path: '/var/lib/shenbi/in.wav', roots: [process.cwd(), tmpdir()] },
    });
  },
};

const failingPipeline = {
  id: 'fails-with-path',
  title: 'fails',
  description: '',
  inputs: {},
  steps: [{ id: 'only', uses: 'test.fail-with-path', with: {} }],
  outputs: { value: { $from: 'only.value' } },
};

let preKeyJobId: string;
let preKeyArtifactId: string;
let preKeyUploadId: string;
const tokens: Record<string, string> = {};

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'shenbi-keyed-'));
  shenbi = await Shenbi.open({ overrides: { home }, env: { ...process.env }, steps: [pathyFailure] });
  server = await startServer(shenbi, { port: 0 });

  // Before any key exists: the keyless local user makes a job (with an artifact) and an upload.
  const submitted = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'blessing-card', input: { recipient: 'Local', seed: 1 } }) });
  assert.equal(submitted.status, 202);
  preKeyJobId = ((await submitted.json()) as { id: string }).id;
  const done = await shenbi.runner.wait(preKeyJobId);
  assert.equal(done.status, 'completed', JSON.stringify(done.error));
  preKeyArtifactId = (await shenbi.store.artifacts.list({ jobId: preKeyJobId }))[0]!.id;
  const uploaded = await fetch(`${server.url}/api/uploads?name=jfk.wav`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: readFileSync(join(TESTDATA, 'jfk.wav')) });
  assert.equal(uploaded.status, 201);
  preKeyUploadId = ((await uploaded.json()) as { id: string }).id;

  tokens.alice = (await server.server.services.keys.create({ tenant: 'alice', scopes: ['generate', 'jobs:read'] })).token;
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1100));
});
after(async () => {
  await server.close();
  await shenbi.close();
  rmSync(home, { recursive: true, force: true });
});

function call(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${server.url}${path}`, { ...init, headers });
}

test('no key can be made for the tenant "local" (API and `shenbi apikeys create --tenant local`)', async () => {
  for (const tenant of ['local', 'LOCAL', 'Local']) {
    await assert.rejects(server.server.services.keys.create({ tenant, scopes: ['jobs:read'] }), (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT' && /reserved/.test(e.message), tenant);
  }
  const cli = await runCli(['apikeys', 'create', '--tenant', 'local', '--scopes', 'jobs:read'], { home });
  assert.equal(cli.status, 2, cli.stdout + cli.stderr);
  assert.match(cli.stderr, /INVALID_INPUT/);
  assert.match(cli.stderr, /reserved/);
  assert.ok(!(await server.server.services.keys.list()).some((k) => k.tenant.toLowerCase() === 'local'));
});

test('a key made for "local" before the name was reserved is refused, so it cannot read the keyless work', async () => {
  const legacy = await server.server.services.keys.create({ tenant: 'legacy', scopes: ['jobs:read'] });
  const database = await openDatabase(shenbi.config.database);
  try {
    await sql`update api_keys set tenant = 'local' where id = ${legacy.key.id}`.execute(database.db);
  } finally {
    await database.close();
  }
  for (const path of [`/api/jobs/${preKeyJobId}`, '/api/jobs', `/api/artifacts/${preKeyArtifactId}`, `/api/uploads/${preKeyUploadId}`]) {
    const r = await call(path, legacy.token);
    const text = await r.text();
    assert.equal(r.status, 401, `${path}: ${text}`);
    assert.ok(!text.includes(preKeyJobId) && !text.includes(preKeyArtifactId), text);
  }
});

test('keyed callers never see the keyless local user’s jobs, artifacts or uploads', async () => {
  for (const path of [`/api/jobs/${preKeyJobId}`, `/api/jobs/${preKeyJobId}/events`, `/api/artifacts/${preKeyArtifactId}`, `/api/artifacts/${preKeyArtifactId}/meta`, `/api/uploads/${preKeyUploadId}`]) {
    assert.equal((await call(path, tokens.alice!)).status, 404, path);
  }
  const list = (await (await call('/api/jobs', tokens.alice!)).json()) as { data: unknown[] };
  assert.deepEqual(list.data, []);
});

/** Any of the server's folders, system folders, or a source position of a stack frame. */
function serverPathPattern(): RegExp {
  const escape = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp([home, homedir(), tmpdir(), process.cwd(), '/etc/', '/var/'].map(escape).concat(['\\.ts:\\d']).join('|'));
}

test('a keyed job failing with server paths in its error shows none in GET /api/jobs/:id, the list, or SSE; the store keeps them', async () => {
  const pathPattern = serverPathPattern();
  const submitted = await call('/api/jobs', tokens.alice!, { method: 'POST', body: JSON.stringify({ pipeline: failingPipeline, input: {} }) });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const { id } = (await submitted.json()) as { id: string };
  const failed = await shenbi.runner.wait(id);
  assert.equal(failed.status, 'failed');
  // The store (and with it the CLI) keeps the whole text.
  assert.match(failed.error!.message, /\/etc\/shenbi\/secret\.wav/);

  const view = await (await call(`/api/jobs/${id}`, tokens.alice!)).text();
  assert.match(view, /MEDIA_INVALID/);
  assert.match(view, /cannot read \[server path\]/);
  assert.doesNotMatch(view, pathPattern, view);

  const list = await (await call('/api/jobs', tokens.alice!)).text();
  assert.match(list, new RegExp(id));
  assert.doesNotMatch(list, pathPattern, list);

  const stream = await (await call(`/api/jobs/${id}/events`, tokens.alice!)).text();
  const events = parseSse(stream);
  assert.ok(events.some((e) => e.event === 'step.progress'), stream);
  assert.ok(events.some((e) => e.event === 'job.failed'), stream);
  assert.equal(events.at(-1)?.event, 'error');
  assert.doesNotMatch(stream, pathPattern, stream);
});
