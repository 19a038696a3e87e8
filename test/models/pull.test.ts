import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { sha256File } from '../../src/models/hash.ts';
import type { PullProgress } from '../../src/models/index.ts';
import { STORIES, harness, storiesEntry, type Harness } from './setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

function rangeStart(range: string | undefined): number {
  const match = /^bytes=(\d+)-$/.exec(range ?? '');
  assert.ok(match?.[1] !== undefined, `expected a "bytes=N-" Range header, got ${String(range)}`);
  return Number(match[1]);
}

async function assertInstalledStories(model: { path: string; sha256: string; size: number }): Promise<void> {
  assert.equal(model.sha256, STORIES.sha256);
  assert.equal(model.size, STORIES.size);
  assert.deepEqual(await sha256File(model.path), { sha256: STORIES.sha256, size: STORIES.size });
}

describe('pull: resumable download', () => {
  test('a connection cut mid-body resumes with Range from the bytes on disk', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(({ index }) => (index === 0 ? { cutAfterBytes: 400_000 } : {}));
    const events: PullProgress[] = [];
    const model = await h.manager().pull('tiny', { onProgress: (p) => events.push(p) });

    await assertInstalledStories(model);
    assert.equal(h.server.requests.length, 2);
    const [first, second] = h.server.requests;
    assert.equal(first?.range, undefined);
    const resumedAt = rangeStart(second?.range);
    assert.ok(resumedAt > 0 && resumedAt <= 400_000, `resumed at ${resumedAt}`);
    assert.equal(second?.status, 206);
    assert.match(second?.ifRange ?? '', /^"/, 'a strong ETag is sent as If-Range');
    // Progress never went backwards during the resume and ended complete.
    for (let i = 1; i < events.length; i++) assert.ok((events[i]?.receivedBytes ?? 0) >= (events[i - 1]?.receivedBytes ?? 0));
    assert.deepEqual(
      { received: events.at(-1)?.receivedBytes, total: events.at(-1)?.totalBytes, eta: events.at(-1)?.etaMs },
      { received: STORIES.size, total: STORIES.size, eta: 0 },
    );
    assert.deepEqual(await h.partials(), [], 'partial, sidecar and lock are gone after install');
  });

  test('an aborted pull leaves a partial that the next pull resumes', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(() => ({ chunkDelayMs: 15 }));
    const abort = new AbortController();
    await assert.rejects(
      h.manager().pull('tiny', {
        signal: abort.signal,
        onProgress: (p) => {
          if (p.receivedBytes >= 200_000) abort.abort();
        },
      }),
      (error: unknown) => error instanceof ShenbiError && error.code === 'JOB_CANCELLED',
    );
    const partSize = (await stat(join(h.modelsDir, '.partial', 'tiny.part'))).size;
    assert.ok(partSize >= 200_000 && partSize < STORIES.size, `partial holds ${partSize} bytes`);
    assert.deepEqual(await h.partials(), ['tiny.json', 'tiny.part'], 'the lock is released, the partial kept');
    assert.deepEqual(await h.manager().list(), []);

    // A new manager, as a new `shenbi models pull` process would be.
    h.server.plan(() => ({}));
    const events: PullProgress[] = [];
    const model = await h.manager().pull('tiny', { onProgress: (p) => events.push(p) });
    await assertInstalledStories(model);
    assert.equal(h.server.requests.length, 2);
    assert.equal(rangeStart(h.server.requests[1]?.range), partSize);
    assert.equal(events[0]?.resumedFromBytes, partSize);
  });

  test('a server that ignores Range (200 instead of 206) restarts cleanly and still verifies', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(({ index }) => (index === 0 ? { cutAfterBytes: 300_000 } : { ignoreRange: true }));
    const model = await h.manager().pull('tiny');
    await assertInstalledStories(model);
    assert.equal(h.server.requests.length, 2);
    assert.ok(rangeStart(h.server.requests[1]?.range) > 0);
    assert.equal(h.server.requests[1]?.status, 200);
  });

  test('retries run out: MODEL_DOWNLOAD_FAILED keeps the partial, and a later pull resumes it', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(({ index }) => (index === 0 ? { cutAfterBytes: 100_000 } : { cutAfterBytes: 0 }));
    await assert.rejects(h.manager().pull('tiny'), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'MODEL_DOWNLOAD_FAILED');
      assert.equal(error.retryable, true);
      return true;
    });
    assert.equal(h.server.requests.length, 3, 'maxAttempts consecutive failures without progress');
    const partSize = (await stat(join(h.modelsDir, '.partial', 'tiny.part'))).size;
    assert.ok(partSize > 0 && partSize <= 100_000);

    h.server.plan(() => ({}));
    await assertInstalledStories(await h.manager().pull('tiny'));
    assert.equal(rangeStart(h.server.requests.at(-1)?.range), partSize);
  });

  test('a 503 is retried; a 404 fails at once with the status', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(({ index }) => (index === 0 ? { status: 503 } : {}));
    await assertInstalledStories(await h.manager().pull('tiny'));
    assert.deepEqual(
      h.server.requests.map((r) => r.status),
      [503, 200],
    );

    const before = h.server.requests.length;
    await assert.rejects(h.manager().pull(`${h.server.origin}/files/missing.bin`), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'MODEL_DOWNLOAD_FAILED');
      assert.equal(error.details?.status, 404);
      assert.match(error.message, /HTTP 404/);
      return true;
    });
    assert.equal(h.server.requests.length, before + 1, 'a 404 is not retried');
    assert.deepEqual(
      (await h.manager().list()).map((m) => m.name),
      ['tiny'],
    );
  });

  test('the mirror endpoint replaces the huggingface.co origin of built-in catalog URLs', async () => {
    const hfPath = '/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf';
    h = await harness([], { [hfPath]: STORIES.file });
    const manager = h.manager({ catalogs: [], modelEndpoint: `${h.server.origin}/` });
    const listed = (await manager.catalog()).find((e) => e.name === 'stories260k');
    assert.equal(listed !== undefined && 'url' in listed ? listed.url : undefined, `https://huggingface.co${hfPath}`);
    assert.equal(listed?.downloadUrl, `${h.server.origin}${hfPath}`);
    // Nothing downloads on its own: resolving an absent model only names the command.
    await assert.rejects(manager.resolve('stories260k'), (error: unknown) => error instanceof ShenbiError && error.hint === 'shenbi models pull stories260k');
    assert.equal(h.server.requests.length, 0);

    const model = await manager.pull('stories260k');
    await assertInstalledStories(model);
    assert.deepEqual(
      h.server.requests.map((r) => r.path),
      [hfPath],
    );
    assert.equal(model.url, `${h.server.origin}${hfPath}`);
    assert.equal(model.source, 'catalog');
    assert.equal(model.verified, true);
  });
});

describe('pull: concurrency and disk', () => {
  test('two pulls of the same model at once download it once and both get it', async () => {
    h = await harness([storiesEntry()]);
    h.server.plan(() => ({ chunkDelayMs: 2 }));
    const [a, b] = await Promise.all([h.manager().pull('tiny'), h.manager().pull('tiny')]);
    await assertInstalledStories(a);
    assert.deepEqual(b, a);
    assert.equal(h.server.requests.length, 1, 'the second pull waited for the lock, then found it installed');
  });

  test('a stale lock left by a dead process is taken over', async () => {
    h = await harness([storiesEntry()]);
    const dead = spawnSync(process.execPath, ['-e', '']);
    assert.ok(typeof dead.pid === 'number');
    await mkdir(join(h.modelsDir, '.partial'), { recursive: true });
    const lock = join(h.modelsDir, '.partial', 'tiny.lock');
    await writeFile(lock, JSON.stringify({ pid: dead.pid, host: hostname(), since: new Date().toISOString() }));
    // What a crash between staging and rename would leave behind.
    const leftover = join(h.modelsDir, '.staging', `tiny.${dead.pid}-deadbeef`);
    await mkdir(leftover, { recursive: true });
    await writeFile(join(leftover, 'stories260K.gguf'), 'half');
    await assertInstalledStories(await h.manager().pull('tiny'));
    assert.equal(existsSync(lock), false);
    assert.equal(existsSync(leftover), false, 'crash leftovers of this model are swept');
  });

  test('a live lock makes a pull wait; aborting the wait cancels it', async () => {
    h = await harness([storiesEntry()]);
    await mkdir(join(h.modelsDir, '.partial'), { recursive: true });
    await writeFile(
      join(h.modelsDir, '.partial', 'tiny.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }),
    );
    await assert.rejects(h.manager().pull('tiny', { signal: AbortSignal.timeout(150) }), (error: unknown) => {
      return error instanceof ShenbiError && error.code === 'JOB_CANCELLED';
    });
    assert.equal(h.server.requests.length, 0);
  });

  test('ENOSPC while writing is DISK_FULL and nothing is installed', async () => {
    h = await harness([storiesEntry()]);
    // /dev/full fails every write with ENOSPC: a real full disk, without filling one.
    await mkdir(join(h.modelsDir, '.partial'), { recursive: true });
    await symlink('/dev/full', join(h.modelsDir, '.partial', 'tiny.part'));
    await assert.rejects(h.manager().pull('tiny'), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'DISK_FULL');
      return true;
    });
    assert.deepEqual(await h.manager().list(), []);
    assert.equal(existsSync(join(h.modelsDir, 'tiny')), false);
    assert.deepEqual(await h.partials(), ['tiny.json', 'tiny.part'], 'partial kept for resume, lock released');
  });
});
