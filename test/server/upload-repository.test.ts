import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { UploadRepository, type UploadRecord } from '../../src/server/uploads/upload-repository.ts';
import { openDatabase } from '../../src/store/db/connect.ts';
import { describeEachDialect } from '../store/dialects.ts';

function record(tenant: string, expiresAt: Date, size: number): UploadRecord {
  return { id: newId('upl'), tenant, keyId: null, name: '视频 clip.mp4', mediaType: 'video/mp4', size, sha256: 'a'.repeat(64), createdAt: new Date().toISOString(), expiresAt: expiresAt.toISOString() };
}

describeEachDialect('uploads table (migration 0005)', (ctx) => {
  test('records round-trip (sizes past 2^31), expire by time, and delete', async () => {
    const database = await openDatabase(await ctx.freshDatabaseUrl());
    try {
      const uploads = new UploadRepository(database.db);
      const live = record('alice', new Date(Date.now() + 3_600_000), 3 * 1024 ** 3);
      const old = record('bob', new Date(Date.now() - 1000), 12);
      await uploads.insert(live);
      await uploads.insert(old);
      assert.deepEqual(await uploads.find(live.id), live);
      assert.deepEqual(await uploads.expired(), [old.id]);
      await uploads.delete(old.id);
      assert.equal(await uploads.find(old.id), undefined);
      assert.deepEqual(await uploads.expired(new Date(Date.now() + 7_200_000)), [live.id]);
    } finally {
      await database.close();
    }
  });
});
