import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ShenbiError } from '../../src/core/errors.ts';
import { LocalBlobStore } from '../../src/store/index.ts';
import { hasCode } from './fixtures.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const run = promisify(execFile);

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A pid that certainly belongs to no live process: one that just exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(child.pid);
  return child.pid;
}

describe('LocalBlobStore', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'shenbi-blobs-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function freshStore(): Promise<LocalBlobStore> {
    return LocalBlobStore.open(await mkdtemp(join(root, 'b-')));
  }

  test('stores bytes under sha256/<aa>/<bb>/<hex> and reads them back', async () => {
    const blobs = await freshStore();
    const bytes = Buffer.from('hello, 神笔');
    const info = await blobs.put(bytes);
    const hex = sha256(bytes);
    assert.deepEqual(info, { ref: `sha256:${hex}`, sha256: hex, size: bytes.byteLength });
    assert.equal((await blobs.localPath(info.ref)), join(blobs.root, 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex));
    assert.deepEqual(await readFile((await blobs.localPath(info.ref))), bytes);
    assert.deepEqual(await blobs.read(info.ref), bytes);
    assert.equal(await blobs.has(info.ref), true);
    assert.deepEqual(await readdir(blobs.tempDir), [], 'no temp file is left after writes');

    // Same bytes again: same ref, same file (not rewritten); only its mtime is refreshed, so
    // a sweep's grace period counts from the latest put.
    const before = await stat((await blobs.localPath(info.ref)));
    assert.deepEqual(await blobs.put(Buffer.from(bytes)), info);
    const again = await stat((await blobs.localPath(info.ref)));
    assert.equal(again.ino, before.ino);
    assert.ok(again.mtimeMs >= before.mtimeMs);

    await blobs.delete(info.ref);
    assert.equal(await blobs.has(info.ref), false);
    await assert.rejects(blobs.read(info.ref), hasCode('BLOB_NOT_FOUND'));
    await blobs.delete(info.ref); // deleting an absent blob is not an error
  });

  test('stores an empty blob and a real binary file from testdata', async () => {
    const blobs = await freshStore();
    const empty = await blobs.put(new Uint8Array(0));
    assert.equal(empty.size, 0);
    assert.deepEqual(await blobs.read(empty.ref), Buffer.alloc(0));
    const wav = await readFile(join(TESTDATA, 'jfk.wav'));
    const info = await blobs.put(wav);
    assert.equal(info.sha256, sha256(wav));
    assert.ok((await blobs.read(info.ref)).equals(wav));
  });

  test('concurrent puts of the same content all succeed and leave one intact blob', async () => {
    const blobs = await freshStore();
    const bytes = Buffer.alloc(256 * 1024, 7);
    const infos = await Promise.all(Array.from({ length: 16 }, () => blobs.put(bytes)));
    assert.equal(new Set(infos.map((i) => i.ref)).size, 1);
    const first = infos[0];
    assert.ok(first);
    assert.ok((await blobs.read(first.ref)).equals(bytes));
    assert.deepEqual(await readdir(blobs.tempDir), []);
    const fanout = join(blobs.root, 'sha256', first.sha256.slice(0, 2), first.sha256.slice(2, 4));
    assert.deepEqual(await readdir(fanout), [first.sha256]);
  });

  test('a temp file left by a crashed writer is swept and never visible as a blob', async () => {
    const blobs = await freshStore();
    const bytes = Buffer.from('half of a file that a killed process was writing');
    const ref = `sha256:${sha256(bytes)}`;
    const crashed = join(blobs.tempDir, `${await deadPid()}-0123456789abcdef.tmp`);
    await writeFile(crashed, bytes.subarray(0, 10));
    const stray = join(blobs.tempDir, 'garbage');
    await writeFile(stray, 'x');
    // A live process's temp file (this test runner's parent stands in for another writer).
    const live = join(blobs.tempDir, `${process.ppid}-fedcba9876543210.tmp`);
    await writeFile(live, 'still being written');

    assert.equal(await blobs.has(ref), false);
    await assert.rejects(blobs.read(ref), hasCode('BLOB_NOT_FOUND'));
    assert.equal(await blobs.sweepTemp(), 2);
    assert.deepEqual(await readdir(blobs.tempDir), [`${process.ppid}-fedcba9876543210.tmp`]);
    // The complete write afterwards produces the whole blob.
    const info = await blobs.put(bytes);
    assert.equal(info.ref, ref);
    assert.ok((await blobs.read(ref)).equals(bytes));
  });

  test('a tampered blob reads as BLOB_CORRUPT; an unverified read returns the raw bytes', async () => {
    const blobs = await freshStore();
    const info = await blobs.put(Buffer.from('original content'));
    await writeFile((await blobs.localPath(info.ref)), 'tampered content');
    await assert.rejects(blobs.read(info.ref), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'BLOB_CORRUPT');
      assert.equal(error.details?.actual, `sha256:${sha256(Buffer.from('tampered content'))}`);
      return true;
    });
    assert.equal((await blobs.read(info.ref, { verify: false })).toString(), 'tampered content');
    // A put of the original bytes with a different size on disk repairs it.
    await writeFile((await blobs.localPath(info.ref)), 'short');
    await blobs.put(Buffer.from('original content'));
    assert.equal((await blobs.read(info.ref)).toString(), 'original content');
  });

  test('refs that are not sha256:<64 lowercase hex> are rejected before touching the disk', async () => {
    const blobs = await freshStore();
    const hex = 'a'.repeat(64);
    const bad = [
      '../../../etc/passwd',
      `sha256:../${hex.slice(3)}`,
      `sha256:${hex}/../../x`,
      `sha256:${'A'.repeat(64)}`,
      `sha256:${hex.slice(1)}`,
      `sha256:${hex}0`,
      `md5:${hex}`,
      ` sha256:${hex}`,
      `sha256:${hex}\n`,
      `sha256:${hex.slice(1)}\0`,
      '',
    ];
    for (const ref of bad) {
      await assert.rejects(blobs.localPath(ref), hasCode('INVALID_INPUT'), JSON.stringify(ref));
      await assert.rejects(blobs.read(ref), hasCode('INVALID_INPUT'), JSON.stringify(ref));
      await assert.rejects(blobs.has(ref), hasCode('INVALID_INPUT'), JSON.stringify(ref));
      await assert.rejects(blobs.delete(ref), hasCode('INVALID_INPUT'), JSON.stringify(ref));
    }
  });

  test('a full disk fails with DISK_FULL and leaves no temp file or blob', async (t) => {
    const mountPoint = await mkdtemp(join(root, 'tmpfs-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    } catch (error) {
      // Mounting needs root with CAP_SYS_ADMIN; CI runs as root, other machines may not.
      t.skip(`cannot mount a small tmpfs here: ${String(error).split('\n')[0]}`);
      return;
    }
    try {
      const blobs = await LocalBlobStore.open(join(mountPoint, 'blobs'));
      const small = await blobs.put(Buffer.from('fits'));
      const big = Buffer.alloc(1024 * 1024, 1);
      await assert.rejects(blobs.put(big), hasCode('DISK_FULL'));
      assert.deepEqual(await readdir(blobs.tempDir), []);
      assert.equal(await blobs.has(`sha256:${sha256(big)}`), false);
      assert.equal((await blobs.read(small.ref)).toString(), 'fits');
    } finally {
      await run('umount', [mountPoint]);
    }
  });

  test('open creates its directories and fails with STORAGE_ERROR where it cannot', async () => {
    const file = join(root, 'not-a-dir');
    await writeFile(file, '');
    await assert.rejects(LocalBlobStore.open(join(file, 'blobs')), hasCode('STORAGE_ERROR'));
    const nested = join(root, 'a', 'b', 'c');
    const blobs = await LocalBlobStore.open(nested);
    assert.ok((await stat(join(nested, 'sha256'))).isDirectory());
    assert.ok((await stat(blobs.tempDir)).isDirectory());
  });
});
