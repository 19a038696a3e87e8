import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { JFK, STORIES, harness, storiesEntry, type Harness } from './setup.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const WRONG_SHA = 'ab'.repeat(32);

async function assertNothingInstalled(harnessed: Harness, name: string): Promise<void> {
  assert.deepEqual(await harnessed.manager().list(), [], 'no registry entry');
  assert.equal(existsSync(join(harnessed.modelsDir, name)), false, 'no model directory');
  assert.deepEqual(await harnessed.partials(), [], 'partial, sidecar and lock removed');
}

describe('resolution', () => {
  test('a resolution is reused for a second; this process’s removal and pull are seen at once, another process’s within the second', async () => {
    h = await harness();
    const manager = h.manager();
    const url = `${h.server.origin}/files/jfk.wav`;
    const gone = (error: unknown) => error instanceof ShenbiError && error.code === 'MODEL_NOT_FOUND';
    await manager.pull(url);
    const first = await manager.resolve('jfk');
    assert.equal(await manager.resolve('jfk'), first, 'the same resolution, not the files read again');
    assert.ok(Object.isFrozen(first), 'shared, so frozen');
    await manager.remove('jfk');
    await assert.rejects(manager.resolve('jfk'), gone);
    await manager.pull(url);
    const again = await manager.resolve('jfk');
    assert.notEqual(again, first);
    assert.equal(existsSync(again.path), true);
    // Another process (its own manager on the same folder) removes it: this one sees it within a second.
    await h.manager().remove('jfk');
    assert.equal(await manager.resolve('jfk'), again, 'within the second: the recent resolution');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await assert.rejects(manager.resolve('jfk'), gone);
    // verify always reads and hashes.
    await manager.pull(url);
    assert.equal((await manager.resolve('jfk', { verify: true })).sha256, JFK.sha256);
  });

  test('after the second, an unchanged model is confirmed by stats (the same resolution); one replaced by another process is read again', async () => {
    h = await harness();
    const manager = h.manager();
    await manager.importFile(JFK.file, { name: 'voice' });
    const first = await manager.resolve('voice');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal(await manager.resolve('voice'), first, 'nothing changed: the same frozen resolution, not a new read');
    // Another process replaces it under the same name with other bytes.
    const other = h.manager();
    await other.remove('voice');
    await other.importFile(STORIES.file, { name: 'voice' });
    assert.equal(await manager.resolve('voice'), first, 'within the second of the last confirmation: still the recent one');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const replaced = await manager.resolve('voice');
    assert.notEqual(replaced, first);
    assert.equal(replaced.sha256, STORIES.sha256);
    assert.equal(replaced.size, STORIES.size);
  });
});

describe('verification', () => {
  test('a wrong catalog sha256 is MODEL_CHECKSUM_MISMATCH and nothing is installed', async () => {
    h = await harness([storiesEntry({ sha256: WRONG_SHA })]);
    await assert.rejects(h.manager().pull('tiny'), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'MODEL_CHECKSUM_MISMATCH');
      assert.equal(error.details?.expected, WRONG_SHA);
      assert.equal(error.details?.actual, STORIES.sha256);
      return true;
    });
    assert.equal(h.server.requests.length, 1);
    await assertNothingInstalled(h, 'tiny');
  });

  test('a checksum failure after a resume also deletes the partial', async () => {
    h = await harness([storiesEntry({ sha256: WRONG_SHA })]);
    h.server.plan(({ index }) => (index === 0 ? { cutAfterBytes: 200_000 } : {}));
    await assert.rejects(h.manager().pull('tiny'), (error: unknown) => error instanceof ShenbiError && error.code === 'MODEL_CHECKSUM_MISMATCH');
    assert.equal(h.server.requests.length, 2);
    await assertNothingInstalled(h, 'tiny');
  });

  test('a size that differs from the catalog is rejected before the body is read', async () => {
    h = await harness([storiesEntry({ size: STORIES.size + 1 })]);
    await assert.rejects(h.manager().pull('tiny'), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'MODEL_CHECKSUM_MISMATCH');
      assert.deepEqual([error.details?.expectedSize, error.details?.actualSize], [STORIES.size + 1, STORIES.size]);
      return true;
    });
    await assertNothingInstalled(h, 'tiny');
  });

  test('a URL pull uses --sha256 when given and records an unverified hash otherwise', async () => {
    h = await harness();
    const url = `${h.server.origin}/files/jfk.wav`;
    await assert.rejects(h.manager().pull(url, { sha256: WRONG_SHA }), (error: unknown) => error instanceof ShenbiError && error.code === 'MODEL_CHECKSUM_MISMATCH');
    await assertNothingInstalled(h, 'jfk');

    const unverified = await h.manager().pull(url);
    assert.deepEqual(
      { name: unverified.name, file: unverified.file, sha256: unverified.sha256, size: unverified.size, source: unverified.source, verified: unverified.verified },
      { name: 'jfk', file: 'jfk.wav', sha256: JFK.sha256, size: JFK.size, source: 'url', verified: false },
    );

    const verified = await h.manager().pull(url, { name: 'speech-sample', sha256: JFK.sha256.toUpperCase() });
    assert.equal(verified.verified, true);
    assert.equal(verified.name, 'speech-sample');
    // The registry record on disk says the same thing the API returned.
    const record: unknown = JSON.parse(await readFile(join(h.modelsDir, 'speech-sample', 'model.json'), 'utf8'));
    assert.deepEqual(record, JSON.parse(JSON.stringify({ ...verified, path: undefined })));
  });

  test('bad --sha256 and unsafe names are INVALID_INPUT before any request', async () => {
    h = await harness([storiesEntry()]);
    const url = `${h.server.origin}/files/jfk.wav`;
    const manager = h.manager();
    for (const attempt of [
      () => manager.pull(url, { sha256: 'xyz' }),
      () => manager.pull(url, { name: '../escape' }),
      () => manager.pull('tiny', { sha256: WRONG_SHA }),
      () => manager.pull(url, { name: 'tiny' }),
    ]) {
      await assert.rejects(attempt(), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT');
    }
    assert.equal(h.server.requests.length, 0);
  });
});
