import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { ApiKeyRepository } from '../../src/server/auth/api-key-repository.ts';
import { UsageReservations } from '../../src/server/quota/usage-reservations.ts';
import { openDatabase, type DatabaseHandle } from '../../src/store/db/connect.ts';
import { describeEachDialect } from './dialects.ts';

/**
 * Issue #15 item 9: a quota holds however many requests race for it. Reservations are one
 * conditional UPDATE on the key's day, so on both databases (PostgreSQL with a pool of
 * parallel connections) concurrent reservations never add up past the limit.
 */
describeEachDialect('usage reservations against daily quotas', (ctx) => {
  const handles: DatabaseHandle[] = [];
  after(async () => {
    for (const handle of handles) await handle.close();
  });

  async function fresh() {
    const handle = await openDatabase(await ctx.freshDatabaseUrl());
    handles.push(handle);
    const keys = new ApiKeyRepository(handle.db);
    const { key } = await keys.create({ tenant: 'racer', scopes: ['generate'], quotaTokens: 100, quotaMediaSeconds: 10 });
    return { keys, key, reservations: new UsageReservations(handle.db) };
  }

  test('forty concurrent reservations of 7 tokens against 100: exactly 14 fit, the rest are QUOTA_EXCEEDED', async () => {
    const { key, reservations } = await fresh();
    const limits = { tokens: 100, mediaSeconds: null };
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => reservations.reserve(key.id, { tokens: 7, mediaMs: 0 }, limits, 'chat')));
    const held = results.filter((r) => r.status === 'fulfilled');
    assert.equal(held.length, 14);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ShenbiError && r.reason.code === 'QUOTA_EXCEEDED', String(r.reason));
    const day = await reservations.day(key.id);
    assert.deepEqual([day.tokens, day.reservedTokens], [0, 98]);

    // Settling frees what was not used; each settles once.
    const [first, second] = held.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<UsageReservations['reserve']>>>).value);
    assert.equal(await reservations.settle(first!.id, { tokens: 3, mediaMs: 0 }), true);
    assert.equal(await reservations.settle(first!.id, { tokens: 3, mediaMs: 0 }), false);
    assert.equal(await reservations.settle(second!.id, { tokens: 0, mediaMs: 0 }), true);
    const settled = await reservations.day(key.id);
    assert.deepEqual([settled.tokens, settled.reservedTokens], [3, 84]);
    // 3 used + 84 held + 13 = 100 fits; one more token does not.
    await reservations.reserve(key.id, { tokens: 13, mediaMs: 0 }, limits, 'chat');
    await assert.rejects(reservations.reserve(key.id, { tokens: 1, mediaMs: 0 }, limits, 'chat'), (e: unknown) => {
      assert.ok(e instanceof ShenbiError && e.code === 'QUOTA_EXCEEDED');
      assert.equal(e.details?.['retryAfterSeconds'], 5, 'only reservations in progress stand in the way: retry soon');
      return true;
    });
  });

  test('media milliseconds against a quota in seconds, reservations bound to jobs, and the open list', async () => {
    const { key, reservations } = await fresh();
    const limits = { tokens: null, mediaSeconds: 10 };
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => reservations.reserve(key.id, { tokens: 0, mediaMs: 3000 }, limits, 'job', `job_${i}`)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    const open = await reservations.open();
    assert.equal(open.length, 3);
    const jobId = open[0]!.jobId!;
    assert.equal((await reservations.forJob(jobId)).length, 1);
    await reservations.settle(open[0]!.id, { tokens: 0, mediaMs: 2500 });
    const day = await reservations.day(key.id);
    assert.deepEqual([day.mediaMs, day.reservedMediaMs], [2500, 6000]);
    await assert.rejects(reservations.reserve(key.id, { tokens: 0, mediaMs: 1501 }, limits, 'job'), (e: unknown) => e instanceof ShenbiError && e.code === 'QUOTA_EXCEEDED' && /media seconds/.test(e.message));
  });

  test('the daily request quota is counted atomically', async () => {
    const { keys, key } = await fresh();
    const counted = await Promise.all(Array.from({ length: 25 }, () => keys.countRequest(key.id, 10)));
    assert.equal(counted.filter(Boolean).length, 10);
    assert.equal((await keys.usage(key.id)).requests, 10);
  });
});
