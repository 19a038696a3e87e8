import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { S3BlobStore } from '../../src/store/blobs/s3-blob-store.ts';
import { openStore } from '../../src/store/open.ts';
import { hasCode, newArtifact } from './fixtures.ts';
import { startS3, type TestS3 } from '../helpers/s3.ts';
import { freePort } from '../helpers/free-port.ts';

/** A real s3rver on loopback; each test uses its own key prefix and cache dir. */
describe('S3BlobStore on s3rver', () => {
  let s3: TestS3;
  let dir: string;
  let n = 0;
  const open = async (prefix: string, cache = `cache-${++n}`) => S3BlobStore.open(s3.settings(prefix), join(dir, cache));

  before(async () => {
    s3 = await startS3();
    dir = await mkdtemp(join(tmpdir(), 'shenbi-s3-blobs-'));
  });
  after(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('put, read, has, entries, delete; keys are content-addressed under the prefix', async () => {
    const blobs = await open('basic');
    try {
      const bytes = Buffer.from('ink on paper');
      const hex = createHash('sha256').update(bytes).digest('hex');
      const info = await blobs.put(bytes);
      assert.deepEqual(info, { ref: `sha256:${hex}`, sha256: hex, size: bytes.length });
      assert.equal(blobs.keyOf(info.ref), `basic/blobs/sha256/${hex.slice(0, 2)}/${hex}`);
      // The object itself is in the bucket under that key, byte for byte.
      const object = await blobs.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: blobs.keyOf(info.ref) }));
      assert.deepEqual(Buffer.from(await object.Body!.transformToByteArray()), bytes);
      assert.deepEqual(await blobs.put(bytes), info, 'a second put of the same bytes is the same blob');
      assert.equal(await blobs.has(info.ref), true);
      assert.deepEqual(await blobs.read(info.ref), bytes);
      const other = await blobs.put(Buffer.from('another'));
      const listed = [];
      for await (const entry of blobs.entries()) listed.push(entry);
      assert.deepEqual(listed.map((e) => e.ref).sort(), [info.ref, other.ref].sort());
      assert.ok(listed.every((e) => e.mtimeMs > Date.now() - 120_000 && e.size > 0));
      await blobs.delete(info.ref);
      assert.equal(await blobs.has(info.ref), false);
      await assert.rejects(blobs.read(info.ref), hasCode('BLOB_NOT_FOUND'));
      await assert.rejects(blobs.localPath(info.ref), hasCode('BLOB_NOT_FOUND'));
      await assert.rejects(blobs.has('sha256:../../etc'), hasCode('INVALID_INPUT'));
    } finally {
      blobs.close();
    }
  });

  test('a second store with an empty cache reads the blob from the bucket into a local file', async () => {
    const writer = await open('shared');
    const reader = await open('shared');
    try {
      const bytes = randomBytes(100_000);
      const { ref } = await writer.put(bytes);
      assert.equal(await reader.cache.has(ref), false);
      const path = await reader.localPath(ref);
      assert.ok(path.startsWith(reader.cache.root));
      assert.deepEqual(await readFile(path), bytes);
      assert.deepEqual(await reader.read(ref), bytes);
    } finally {
      writer.close();
      reader.close();
    }
  });

  test('a blob over 8 MB goes up in parts and reads back byte-identical', async () => {
    const writer = await open('multipart');
    const reader = await open('multipart');
    try {
      // What the real client sent: the command names, seen by a middleware on its stack.
      const sent: string[] = [];
      writer.client.middlewareStack.add((next, context) => (args) => (sent.push(String(context.commandName)), next(args)), { step: 'initialize', name: 'testRecordCommands' });
      const bytes = randomBytes(17 * 1024 * 1024 + 123);
      const { ref } = await writer.put(bytes);
      assert.deepEqual(sent.filter((c) => c !== 'HeadObjectCommand'), ['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
      const head = await writer.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: writer.keyOf(ref) }));
      assert.equal(head.ContentLength, bytes.length);
      assert.ok((await reader.read(ref)).equals(bytes));
    } finally {
      writer.close();
      reader.close();
    }
  });

  test('an object that no longer hashes to its key is BLOB_CORRUPT and is not cached', async () => {
    const writer = await open('corrupt');
    const reader = await open('corrupt');
    try {
      const { ref } = await writer.put(Buffer.from('the true content'));
      await writer.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: writer.keyOf(ref), Body: Buffer.from('tampered content') }));
      await assert.rejects(reader.read(ref), hasCode('BLOB_CORRUPT'));
      await assert.rejects(reader.localPath(ref), hasCode('BLOB_CORRUPT'));
      assert.equal(await reader.cache.has(ref), false);
    } finally {
      writer.close();
      reader.close();
    }
  });

  test('removeUnreferenced keeps recent and referenced blobs, removes old unreferenced ones', async () => {
    const blobs = await open('grace');
    try {
      const { ref, size } = await blobs.put(Buffer.from('sweep me'));
      assert.deepEqual(await blobs.removeUnreferenced(ref, { olderThanMs: 60_000, isReferenced: async () => false }), { removed: false, reason: 'recent' });
      assert.deepEqual(await blobs.removeUnreferenced(ref, { olderThanMs: 0, isReferenced: async () => true }), { removed: false, reason: 'referenced' });
      assert.equal(await blobs.has(ref), true);
      // A reference appearing between the two checks: the object is put back.
      let asked = 0;
      assert.deepEqual(await blobs.removeUnreferenced(ref, { olderThanMs: 0, isReferenced: async () => ++asked > 1 }), { removed: false, reason: 'referenced' });
      assert.equal(await blobs.has(ref), true);
      assert.deepEqual(await blobs.removeUnreferenced(ref, { olderThanMs: 0, isReferenced: async () => false }), { removed: true, size });
      assert.equal(await blobs.has(ref), false);
      assert.deepEqual(await blobs.removeUnreferenced(ref, { olderThanMs: 0, isReferenced: async () => false }), { removed: false, reason: 'absent' });
      const left = [];
      for await (const entry of blobs.entries()) left.push(entry);
      assert.deepEqual(left, [], 'nothing left under blobs/ (the aside copy is gone too)');
    } finally {
      blobs.close();
    }
  });

  test('artifacts on S3: delete reclaims the object; gc keeps what rows reference', async () => {
    const store = await openStore({ database: 'sqlite::memory:', blobsDir: join(dir, 'store-cache'), governance: implicitLabelRecord('Shenbi'), s3: s3.settings('artifacts') });
    try {
      const kept = await store.artifacts.put(newArtifact('kept'));
      const gone = await store.artifacts.put(newArtifact('gone'));
      assert.ok(store.s3Blobs !== null);
      const report = await store.artifacts.delete(gone.id);
      assert.equal(report.blobsRemoved, 1);
      assert.equal(await store.blobs.has(gone.blobRef), false);
      assert.equal((await store.artifacts.sweepUnreferencedBlobs({ olderThanMs: 0 })).blobsRemoved, 0);
      assert.equal((await store.artifacts.read(kept.id)).bytes.toString(), (await readFile(await store.blobs.localPath(kept.blobRef))).toString());
    } finally {
      await store.close();
    }
  });

  test('an unreachable S3 at open is BLOB_STORE_UNAVAILABLE naming endpoint and bucket, never the secret', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const settings = { ...s3.settings('x'), endpoint };
    const started = Date.now();
    const error = await openStore({ database: 'sqlite::memory:', blobsDir: join(dir, 'down'), governance: implicitLabelRecord('Shenbi'), s3: settings }).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(hasCode('BLOB_STORE_UNAVAILABLE')(error), String(error));
    const message = (error as Error).message;
    assert.ok(message.includes(endpoint) && message.includes(s3.bucket), message);
    assert.ok(!message.includes('S3RVER') && !JSON.stringify(error).includes('S3RVER'), 'no credentials in the error');
    assert.ok(Date.now() - started < 15_000, 'bounded');
    // A bucket that does not exist on a live server: the same code.
    await assert.rejects(S3BlobStore.open({ ...s3.settings(), bucket: 'no-such-bucket' }, join(dir, 'nobucket')), (e: unknown) => hasCode('BLOB_STORE_UNAVAILABLE')(e) && (e as Error).message.includes('no-such-bucket'));
  });
});
