import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from './helpers.ts';

/**
 * Issue #15 item 1: an API key's job may name only its tenant's artifact and upload ids and
 * public URLs — never a file of the server — in any path-like input, and the answer must not
 * tell whether a path exists. The keyless loopback server and the CLI keep reading local files.
 */

interface Answer {
  /** Where the refusal came from: the submission (4xx) or the job's own failure. */
  at: 'submit' | 'job';
  status: number | string;
  error: { code: string; message: string; hint?: string; details?: unknown } | null;
}

let keyed: TestServer;
let keyless: TestServer;
let dir: string;
let files: string;
let png: Buffer;
let aliceUpload: string;
const tokens: Record<string, string> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-media-access-'));
  // A folder with a space: the old up-front check let such paths through to the steps.
  files = join(dir, 'server files');
  await mkdir(join(files, 'material'), { recursive: true });
  await mkdir(join(files, 'sd model'), { recursive: true });
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
  await writeFile(join(files, 'secret.png'), png);
  await writeFile(join(files, 'material', '1.png'), png);
  await writeFile(join(files, 'font.sf2'), Buffer.alloc(1024, 7));
  await symlink(join(files, 'secret.png'), join(files, 'link.png'));
  await symlink(join(files, 'missing-target.png'), join(files, 'dangling.png'));

  keyed = await startTestServer({ withModel: false });
  const keys = keyed.server.server.services.keys;
  tokens.alice = (await keys.create({ tenant: 'alice', scopes: ['generate', 'jobs:read'] })).token;
  tokens.bob = (await keys.create({ tenant: 'bob', scopes: ['generate', 'jobs:read'] })).token;
  await new Promise((r) => setTimeout(r, 1100)); // keys are noticed within a second
  const uploaded = await fetch(`${keyed.url}/api/uploads?name=alice.png`, { method: 'POST', body: png, headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'image/png' } });
  assert.equal(uploaded.status, 201, await uploaded.clone().text());
  aliceUpload = ((await uploaded.json()) as { id: string }).id;

  keyless = await startTestServer({ withModel: false });
});
after(async () => {
  await keyed?.close();
  await keyless?.close();
  await rm(dir, { recursive: true, force: true });
});

async function api(server: TestServer, path: string, token: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${server.url}${path}`, { ...init, headers });
}

/** Submits a task job and waits for it: the refusal at submission, or the job's final state. */
async function attempt(server: TestServer, token: string | undefined, task: string, input: Record<string, unknown>): Promise<Answer> {
  const submitted = await api(server, '/api/jobs', token, { method: 'POST', body: JSON.stringify({ task, input }) });
  const body = (await submitted.json()) as { id?: string; error?: Answer['error'] };
  if (submitted.status !== 202) return { at: 'submit', status: submitted.status, error: body.error ?? null };
  for (;;) {
    const job = (await (await api(server, `/api/jobs/${body.id}`, token)).json()) as { status: string; error: Answer['error'] };
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') return { at: 'job', status: job.status, error: job.error };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The same refusal for a path that exists and one that does not, with nothing path-specific in it. */
async function refusedAlike(task: string, existing: Record<string, unknown>, missing: Record<string, unknown>, what: string): Promise<Answer> {
  const a = await attempt(keyed, tokens.bob, task, existing);
  const b = await attempt(keyed, tokens.bob, task, missing);
  assert.equal(a.error?.code, 'PATH_NOT_ALLOWED', `${what} (existing): ${JSON.stringify(a)}`);
  assert.deepEqual(b, a, `${what}: the answers differ between an existing and a missing path`);
  const text = JSON.stringify(a);
  assert.ok(!text.includes(dir) && !text.includes(keyed.home), `${what}: the answer names a server path: ${text}`);
  return a;
}

test('a tenant cannot read another tenant\'s upload through x/../../<its file>, whether or not it exists', async () => {
  const uploadsDir = keyed.server.server.services.uploads.limits.dir;
  const up = 'x/' + '../'.repeat(process.cwd().split('/').length + 1);
  await refusedAlike('vision', { mode: 'ocr', image: `${up}${join(uploadsDir, aliceUpload).slice(1)}` }, { mode: 'ocr', image: `${up}${join(uploadsDir, 'upl_00000000000000000000000000').slice(1)}` }, 'relative path to an upload');
  // The same through an absolute path with a space (nothing the up-front check can recognise: the step refuses).
  const uploadsWithSpace = join(dir, 'up loads');
  await mkdir(uploadsWithSpace);
  await symlink(join(uploadsDir, aliceUpload), join(uploadsWithSpace, 'alice.png'));
  const answer = await refusedAlike('vision', { mode: 'ocr', image: join(uploadsWithSpace, 'alice.png') }, { mode: 'ocr', image: join(uploadsWithSpace, 'bob.png') }, 'link to an upload');
  assert.equal(answer.at, 'job', 'refused by the step itself');
  // Her own upload id still works for Alice, and Bob is told it does not exist.
  const bob = await attempt(keyed, tokens.bob, 'image', { operation: 'resize', image: aliceUpload, width: 64 });
  assert.equal(bob.error?.code, 'UPLOAD_NOT_FOUND');
  const alice = await attempt(keyed, tokens.alice, 'image', { operation: 'resize', image: aliceUpload, width: 64 });
  assert.equal(alice.status, 'completed', JSON.stringify(alice));
});

test('absolute paths with spaces, symlinks and file: URLs are refused alike, existing or not, and the job reads nothing', async () => {
  const abs = await refusedAlike('vision', { mode: 'ocr', image: join(files, 'secret.png') }, { mode: 'ocr', image: join(files, 'missing.png') }, 'absolute path with a space');
  assert.equal(abs.at, 'job');
  assert.equal(abs.status, 'failed');
  await refusedAlike('vision', { mode: 'ocr', image: join(files, 'link.png') }, { mode: 'ocr', image: join(files, 'dangling.png') }, 'symlink');
  await refusedAlike('image', { operation: 'resize', image: `file://${join(files, 'secret.png')}`, width: 64 }, { operation: 'resize', image: `file://${join(files, 'missing.png')}`, width: 64 }, 'file: URL');
  await refusedAlike('image', { operation: 'resize', image: join(files, 'secret.png'), width: 64 }, { operation: 'resize', image: join(files, 'missing.png'), width: 64 }, 'image edit');
});

test('a SoundFont, a diffusion model folder and a material folder are local paths too: refused alike for API keys', async () => {
  await refusedAlike('music', { lyrics: 'la la la', soundfont: join(files, 'font.sf2') }, { lyrics: 'la la la', soundfont: join(files, 'nofont.sf2') }, 'soundfont');
  await refusedAlike('image', { prompt: 'a red lantern', model: join(files, 'sd model') }, { prompt: 'a red lantern', model: join(files, 'no model') }, 'diffusion model folder');
  await refusedAlike('video', { operation: 'folder', source: join(files, 'material'), script: 'Hello there.' }, { operation: 'folder', source: join(files, 'no material'), script: 'Hello there.' }, 'material folder');
});

test('a MIDI render through the jobs API: a keyed caller naming /etc/passwd as soundfont is refused, nothing of the file echoed', async () => {
  const midi = 'https://example.com/tune.mid';
  const answer = await refusedAlike('music', { midi, soundfont: '/etc/passwd' }, { midi, soundfont: '/etc/no-such-font.sf2' }, 'soundfont of a MIDI render');
  assert.doesNotMatch(JSON.stringify(answer), /root:|\/bin\//);
});

test('the keyless loopback server and the CLI still read a local path inside the media roots', async () => {
  const served = await attempt(keyless, undefined, 'image', { operation: 'resize', image: join(files, 'secret.png'), width: 64 });
  assert.equal(served.status, 'completed', JSON.stringify(served));
  const linked = await attempt(keyless, undefined, 'image', { operation: 'resize', image: join(files, 'link.png'), width: 64 });
  assert.equal(linked.status, 'completed', JSON.stringify(linked));
  const home = await mkdtemp(join(dir, 'cli-home-'));
  const cli = await runCli(['--json', 'generate', 'image', '--set', 'operation=resize', '--set', `image=${join(files, 'secret.png')}`, '--set', 'width=64'], { home });
  assert.equal(cli.status, 0, cli.stderr);
});
