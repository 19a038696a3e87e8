import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseSse, startTestServer, type TestServer } from './helpers.ts';

interface ErrorBody {
  error: { code: string };
}
interface UploadView {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: string;
  expiresAt: string;
}

let t: TestServer;
let work: string;
let mp4: Buffer;
const tokens: Record<string, string> = {};

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'shenbi-uploads-'));
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', join(work, 'clip.mp4')]);
  mp4 = readFileSync(join(work, 'clip.mp4'));
  t = await startTestServer({ withModel: false });
  const keys = t.server.server.services.keys;
  tokens.alice = (await keys.create({ tenant: 'alice', scopes: ['generate', 'jobs:read'] })).token;
  tokens.bob = (await keys.create({ tenant: 'bob', scopes: ['generate', 'jobs:read'] })).token;
  tokens.readOnly = (await keys.create({ tenant: 'alice', scopes: ['jobs:read'] })).token;
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1100));
});
after(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

const uploadsDir = () => t.server.server.services.uploads.limits.dir;
const filesLeft = () => (existsSync(uploadsDir()) ? readdirSync(uploadsDir()) : []);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function call(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(`${t.url}${path}`, { ...init, headers });
}

function upload(token: string, bytes: Uint8Array, type: string, name: string): Promise<Response> {
  return call(`/api/uploads?name=${encodeURIComponent(name)}`, token, { method: 'POST', body: bytes, headers: { 'content-type': type } });
}

async function expectError(response: Promise<Response>, status: number, code: string, what: string): Promise<void> {
  const r = await response;
  const body = (await r.json()) as ErrorBody;
  assert.equal(r.status, status, `${what}: ${JSON.stringify(body)}`);
  assert.equal(body.error.code, code, what);
}

async function runJob(token: string, input: Record<string, unknown>): Promise<{ status: string; artifacts: { id: string; mimeType: string; labels: unknown[] }[] }> {
  const submitted = await call('/api/jobs', token, { method: 'POST', body: JSON.stringify({ task: 'video', input }), headers: { 'content-type': 'application/json' } });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const { id } = (await submitted.json()) as { id: string };
  const events = parseSse(await (await call(`/api/jobs/${id}/events`, token)).text());
  return JSON.parse(events.at(-1)!.data) as { status: string; artifacts: { id: string; mimeType: string; labels: unknown[] }[] };
}

test('an uploaded MP4 is stored as sent (unlabeled, same sha256), used as a job source, and the output is labeled', async () => {
  const r = await upload(tokens.alice!, mp4, 'video/mp4', 'my clip.mp4');
  assert.equal(r.status, 201);
  const view = (await r.json()) as UploadView;
  assert.match(view.id, /^upl_[0-9a-z]{26}$/);
  assert.deepEqual({ name: view.name, mediaType: view.mediaType, size: view.size, sha256: view.sha256 }, { name: 'my clip.mp4', mediaType: 'video/mp4', size: mp4.length, sha256: sha256(mp4) });
  assert.ok(Date.parse(view.expiresAt) - Date.parse(view.createdAt) === 72 * 3_600_000);
  assert.deepEqual(filesLeft(), [view.id]);

  const result = await runJob(tokens.alice!, { source: view.id, operation: 'cover' });
  assert.equal(result.status, 'completed', JSON.stringify(result));
  const cover = result.artifacts.find((a) => a.mimeType === 'image/jpeg');
  assert.ok(cover && cover.labels.length > 0, 'the cover is labeled');
  // The upload is the user's own: not an artifact, not a parent in provenance, bytes untouched.
  const meta = (await (await call(`/api/artifacts/${cover.id}/meta`, tokens.alice!)).json()) as { provenance: { parents: string[] } };
  assert.deepEqual(meta.provenance.parents, []);
  assert.equal(sha256(readFileSync(join(uploadsDir(), view.id))), sha256(mp4));
  await expectError(call(`/api/artifacts/${view.id}`, tokens.alice!), 400, 'INVALID_INPUT', 'an upload is not served as an artifact');
  const again = await call(`/api/uploads/${view.id}`, tokens.alice!);
  assert.equal(again.status, 200);
  assert.match(again.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(await again.json(), view);

  // Tenant matrix: Bob can neither read, delete nor use Alice's upload, nor her artifact.
  await expectError(call(`/api/uploads/${view.id}`, tokens.bob!), 404, 'UPLOAD_NOT_FOUND', 'bob GET');
  await expectError(call(`/api/uploads/${view.id}`, tokens.bob!, { method: 'DELETE' }), 404, 'UPLOAD_NOT_FOUND', 'bob DELETE');
  const submitAs = (token: string, input: Record<string, unknown>) => call('/api/jobs', token, { method: 'POST', body: JSON.stringify({ task: 'video', input }), headers: { 'content-type': 'application/json' } });
  await expectError(submitAs(tokens.bob!, { source: view.id, operation: 'cover' }), 404, 'UPLOAD_NOT_FOUND', 'bob uses alice upload');
  await expectError(submitAs(tokens.bob!, { source: cover.id, operation: 'cover' }), 404, 'ARTIFACT_NOT_FOUND', 'bob uses alice artifact');
  await expectError(upload(tokens.readOnly!, mp4, 'video/mp4', 'x.mp4'), 403, 'FORBIDDEN', 'no generate scope');
  assert.equal((await submitAs(tokens.alice!, { source: cover.id, operation: 'cover' })).status, 202, 'alice may use her own artifact');

  const deleted = await call(`/api/uploads/${view.id}`, tokens.alice!, { method: 'DELETE' });
  assert.equal(deleted.status, 200);
  await expectError(call(`/api/uploads/${view.id}`, tokens.alice!), 404, 'UPLOAD_NOT_FOUND', 'after delete');
  await expectError(submitAs(tokens.alice!, { source: view.id, operation: 'cover' }), 404, 'UPLOAD_NOT_FOUND', 'deleted upload in a job');
  assert.ok(!filesLeft().includes(view.id));
});

test('pictures and audio are recognised by their content, not the declared type; names cannot reach a path', async () => {
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', join(work, 'p.png')]);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '0.5', join(work, 's.wav')]);
  const png = (await (await upload(tokens.alice!, readFileSync(join(work, 'p.png')), 'application/octet-stream', '../../etc/passwd')).json()) as UploadView;
  assert.deepEqual([png.mediaType, png.name], ['image/png', 'passwd']);
  assert.ok(filesLeft().includes(png.id));
  const wav = (await (await upload(tokens.alice!, readFileSync(join(work, 's.wav')), 'video/mp4', 'tone.wav')).json()) as UploadView;
  assert.equal(wav.mediaType, 'audio/wav');
});

test('text, SVG and random bytes are MEDIA_INVALID and nothing is kept', async () => {
  const before = filesLeft();
  await expectError(upload(tokens.alice!, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'), 'image/svg+xml', 'x.svg'), 422, 'MEDIA_INVALID', 'svg');
  await expectError(upload(tokens.alice!, Buffer.from('hello, this is plain text\n'.repeat(50)), 'video/mp4', 'fake.mp4'), 422, 'MEDIA_INVALID', 'text');
  await expectError(upload(tokens.alice!, randomBytes(100_000), 'audio/wav', 'noise.wav'), 422, 'MEDIA_INVALID', 'random bytes');
  await expectError(upload(tokens.alice!, new Uint8Array(0), 'video/mp4', 'empty.mp4'), 422, 'MEDIA_INVALID', 'empty');
  assert.deepEqual(filesLeft(), before);
});

test('over the size limit → 413 PAYLOAD_TOO_LARGE, declared or streamed; an aborted upload leaves no file', async () => {
  const limits = t.server.server.services.uploads.limits;
  const saved = limits.maxBytes;
  limits.maxBytes = 64 * 1024;
  try {
    const before = filesLeft();
    await expectError(upload(tokens.alice!, randomBytes(200_000), 'video/mp4', 'big.mp4'), 413, 'PAYLOAD_TOO_LARGE', 'declared length');
    // No Content-Length: counted while streaming, refused past the limit.
    const chunks = [randomBytes(40_000), randomBytes(40_000), randomBytes(40_000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
    await expectError(call('/api/uploads?name=big.mp4', tokens.alice!, { method: 'POST', body, headers: { 'content-type': 'video/mp4' }, duplex: 'half' } as RequestInit), 413, 'PAYLOAD_TOO_LARGE', 'streamed');
    assert.deepEqual(filesLeft(), before);
  } finally {
    limits.maxBytes = saved;
  }

  // A client that goes away mid-upload: the partial file is removed.
  const before = filesLeft();
  const url = new URL('/api/uploads?name=cut.mp4', t.url);
  await new Promise<void>((resolve) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'video/mp4', 'transfer-encoding': 'chunked' } });
    req.on('error', () => resolve());
    req.write(mp4.subarray(0, 20_000));
    setTimeout(() => {
      // Something is being written now.
      assert.ok(filesLeft().some((f) => f.startsWith('.part-')), 'a temp file while receiving');
      req.destroy();
      resolve();
    }, 300);
  });
  const deadline = Date.now() + 3000;
  while (filesLeft().length !== before.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(filesLeft(), before);
});

test('expired uploads are swept, then not found', async () => {
  const r = await upload(tokens.alice!, mp4, 'video/mp4', 'old.mp4');
  const { id } = (await r.json()) as UploadView;
  const store = t.server.server.services.uploads;
  assert.equal(await store.sweep(), 0, 'nothing expired yet');
  assert.ok(filesLeft().includes(id));
  assert.ok((await store.sweep(new Date(Date.now() + store.limits.retentionMs + 1000))) >= 1);
  assert.ok(!filesLeft().includes(id));
  await expectError(call(`/api/uploads/${id}`, tokens.alice!), 404, 'UPLOAD_NOT_FOUND', 'swept');
});

test('the OpenAPI document lists the upload routes', async () => {
  const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-shenbi-scope'?: string; responses: Record<string, unknown> }>> };
  assert.equal(doc.paths['/api/uploads']?.post?.['x-shenbi-scope'], 'generate');
  assert.ok(doc.paths['/api/uploads']?.post?.responses['201']);
  assert.ok(doc.paths['/api/uploads/{id}']?.get);
  assert.equal(doc.paths['/api/uploads/{id}']?.delete?.['x-shenbi-scope'], 'generate');
});
