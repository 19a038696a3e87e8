import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { createS3Client } from '../../src/store/blobs/s3-client.ts';
import { openStore } from '../../src/store/open.ts';
import { parseSse } from '../server/helpers.ts';
import { startS3, type TestS3 } from '../helpers/s3.ts';

/**
 * A whole Shenbi with `blobs: "s3://…"` in its config.json, against a real s3rver: job outputs
 * and uploads live in the bucket, another store with an empty cache reads them, and
 * downloads redirect to presigned URLs.
 */
const PREFIX = 'studio';
let s3: TestS3;
let home: string;
let shenbi: Shenbi;
let server: RunningServer;
let client: S3Client;
let token: string;
let mp4: Buffer;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const exists = (key: string) => client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key })).then(() => true, () => false);

function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

before(async () => {
  s3 = await startS3();
  client = createS3Client(s3.settings());
  home = mkdtempSync(join(tmpdir(), 'shenbi-s3-home-'));
  const clip = join(home, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', clip]);
  mp4 = readFileSync(clip);
  rmSync(clip);
  writeFileSync(join(home, 'config.json'), JSON.stringify({ blobs: `s3://${s3.bucket}/${PREFIX}`, s3: { endpoint: s3.endpoint, forcePathStyle: true, presignDownloads: true, presignExpiresSeconds: 120 } }));
  shenbi = await Shenbi.open({ overrides: { home }, env: { ...process.env, ...s3.env } });
  server = await startServer(shenbi, { port: 0 });
  token = (await server.server.services.keys.create({ tenant: 'alice', scopes: ['generate', 'jobs:read'] })).token;
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1100));
});

after(async () => {
  await server?.close();
  await shenbi?.close();
  client?.destroy();
  await s3?.stop();
  rmSync(home, { recursive: true, force: true });
});

test('an upload lands in the bucket, a job on a machine without it reads it, the output blob is in the bucket and readable with an empty cache, downloads are presigned', async () => {
  // Upload through the server: the bytes are in the bucket under <prefix>/uploads/<id>.
  const uploaded = await call('/api/uploads?name=clip.mp4', { method: 'POST', body: mp4, headers: { 'content-type': 'video/mp4' } });
  assert.equal(uploaded.status, 201, await uploaded.clone().text());
  const { id: uploadId } = (await uploaded.json()) as { id: string };
  assert.ok(await exists(`${PREFIX}/uploads/${uploadId}`), 'upload object in the bucket');
  // As on a worker elsewhere: this machine's uploads dir does not have the file.
  await rm(join(shenbi.config.uploads.dir, uploadId));

  const submitted = await call('/api/jobs', { method: 'POST', body: JSON.stringify({ task: 'video', input: { source: uploadId, operation: 'cover' } }), headers: { 'content-type': 'application/json' } });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const { id: jobId } = (await submitted.json()) as { id: string };
  const events = parseSse(await (await call(`/api/jobs/${jobId}/events`)).text());
  const end = JSON.parse(events.at(-1)!.data) as { status: string; artifacts: { id: string }[]; error?: unknown };
  assert.equal(end.status, 'completed', JSON.stringify(end));
  assert.equal(sha256(readFileSync(join(shenbi.config.uploads.dir, uploadId))), sha256(mp4), 'fetched from the bucket byte for byte');

  // The output's blob is an object in the bucket at its content address.
  const artifact = await shenbi.store.artifacts.get(end.artifacts[0]!.id);
  assert.ok(await exists(`${PREFIX}/blobs/sha256/${artifact.sha256.slice(0, 2)}/${artifact.sha256}`), 'artifact blob in the bucket');

  // Another store on the same database with an EMPTY local cache reads it back from the bucket.
  const other = await openStore({ database: shenbi.config.database, blobsDir: join(home, 'other-cache'), governance: implicitLabelRecord('Shenbi'), s3: shenbi.config.scaleOut!.s3! });
  try {
    assert.equal(await other.s3Blobs!.cache.has(artifact.blobRef), false);
    const { bytes } = await other.artifacts.read(artifact.id);
    assert.equal(sha256(bytes), artifact.sha256);
  } finally {
    await other.close();
  }

  // Downloads: 302 to a presigned URL on the S3 endpoint, which serves the exact bytes with the artifact's type.
  const download = await call(`/api/artifacts/${artifact.id}`, { redirect: 'manual' });
  assert.equal(download.status, 302);
  const location = download.headers.get('location')!;
  assert.ok(location.startsWith(`${s3.endpoint}/${s3.bucket}/${PREFIX}/blobs/`), location);
  assert.match(location, /X-Amz-Signature=/);
  const fetched = await fetch(location);
  assert.equal(fetched.status, 200);
  assert.equal(fetched.headers.get('content-type'), artifact.mimeType);
  assert.match(fetched.headers.get('content-disposition') ?? '', /^attachment; filename=/);
  assert.equal(sha256(new Uint8Array(await fetched.arrayBuffer())), artifact.sha256);
  // s3rver does not verify SigV4 signatures (lib/middleware/authentication.js), only the key id: an unknown one is refused.
  assert.equal((await fetch(location.replace(/X-Amz-Credential=S3RVER/, 'X-Amz-Credential=NOBODY'))).status, 403);

  // Deleting the upload deletes its object too.
  assert.equal((await call(`/api/uploads/${uploadId}`, { method: 'DELETE' })).status, 200);
  assert.equal(await exists(`${PREFIX}/uploads/${uploadId}`), false);

  // The expiry sweep deletes expired uploads' objects as well.
  const second = (await (await call('/api/uploads?name=b.mp4', { method: 'POST', body: mp4, headers: { 'content-type': 'video/mp4' } })).json()) as { id: string };
  assert.ok(await exists(`${PREFIX}/uploads/${second.id}`));
  assert.equal(await server.server.services.uploads.sweep(new Date(Date.now() + 365 * 86_400_000)), 1);
  assert.equal(await exists(`${PREFIX}/uploads/${second.id}`), false);
});
