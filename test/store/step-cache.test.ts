import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../src/store/index.ts';
import { hasCode } from './fixtures.ts';
import { describeEachDialect } from './dialects.ts';

describeEachDialect('step cache', (ctx) => {
  test('get misses, put stores, get hits and counts the hit, put replaces', async () => {
    const store = await ctx.openFreshStore();
    const key = 'a'.repeat(64);
    assert.equal(await store.cache.get(key), undefined);
    const outputs = { image: 'art_01', caption: '一支神笔', meta: { width: 512, tags: ['ink'] } };
    await store.cache.put(key, 'image.generate', outputs);
    assert.deepEqual(await store.cache.get(key), outputs);
    assert.deepEqual(await store.cache.get(key), outputs);
    await store.cache.put(key, 'image.generate', { image: 'art_02' });
    assert.deepEqual(await store.cache.get(key), { image: 'art_02' });
    assert.equal(await store.cache.get('b'.repeat(64)), undefined);

    const handle = await openDatabase(store.databaseUrl);
    try {
      const row = await handle.db.selectFrom('step_cache').select(['hits', 'step_type']).where('cache_key', '=', key).executeTakeFirstOrThrow();
      assert.equal(row.hits, 3);
      assert.equal(row.step_type, 'image.generate');
    } finally {
      await handle.close();
    }
  });

  test('bad keys and non-object outputs are INVALID_INPUT; a damaged entry is DATABASE_ERROR', async () => {
    const store = await ctx.openFreshStore();
    await assert.rejects(store.cache.get(''), hasCode('INVALID_INPUT'));
    await assert.rejects(store.cache.put('k', '', {}), hasCode('INVALID_INPUT'));
    const notAnObject = [1, 2] as unknown as Record<string, unknown>;
    await assert.rejects(store.cache.put('k', 'x', notAnObject), hasCode('INVALID_INPUT'));

    const handle = await openDatabase(store.databaseUrl);
    try {
      await handle.db.insertInto('step_cache').values({ cache_key: 'damaged', step_type: 'x', outputs: '{"trunc', created_at: 'now' }).execute();
    } finally {
      await handle.close();
    }
    await assert.rejects(store.cache.get('damaged'), hasCode('DATABASE_ERROR'));
  });
});
