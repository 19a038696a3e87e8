import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { describeEachDialect, passThroughGovernance } from './dialects.ts';

describeEachDialect('conversation store', (ctx) => {
  test('turns append in order, history returns the last N oldest first, clear forgets', async () => {
    const store = await ctx.openFreshStore();
    assert.equal(await store.conversations.append('npc:smith:p1', [{ role: 'user', speaker: 'Player', content: 'Hello' }]), 1);
    assert.equal(
      await store.conversations.append('npc:smith:p1', [
        { role: 'assistant', speaker: 'Smith', content: 'Welcome, traveller.' },
        { role: 'user', speaker: 'Player', content: '你好' },
      ]),
      3,
    );
    await store.conversations.append('npc:other', [{ role: 'user', speaker: null, content: 'unrelated' }]);
    const all = await store.conversations.history('npc:smith:p1');
    assert.deepEqual(all.map((t) => t.content), ['Hello', 'Welcome, traveller.', '你好']);
    assert.deepEqual((await store.conversations.history('npc:smith:p1', 2)).map((t) => t.content), ['Welcome, traveller.', '你好']);
    await store.conversations.clear('npc:smith:p1');
    assert.deepEqual(await store.conversations.history('npc:smith:p1'), []);
    assert.equal((await store.conversations.history('npc:other')).length, 1);
  });

  test('concurrent appends to one conversation lose nothing and keep each batch together', async () => {
    const store = await ctx.openFreshStore();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.conversations.append('race', [
          { role: 'user', speaker: null, content: `q${i}` },
          { role: 'assistant', speaker: null, content: `a${i}` },
        ]),
      ),
    );
    const turns = await store.conversations.history('race');
    assert.equal(turns.length, 16);
    for (let i = 0; i < 16; i += 2) assert.equal(turns[i]!.content.slice(1), turns[i + 1]!.content.slice(1));
  });

  test('12 writers × 20 appends at once, from two connection pools: every turn kept, each batch together, each writer in order', async () => {
    // On PostgreSQL writers used to collide on the (conversation, position) key and give up
    // after 5 immediate retries with a duplicate-key DATABASE_ERROR (NPC memory, #16 item 12).
    const first = await ctx.openFreshStore();
    // A second store on the same database: its own pool, as another server process would have.
    // SQLite has one writer per file; there the one store's writers race within it.
    const second = ctx.dialect === 'postgres' ? await openStore({ database: first.databaseUrl, blobsDir: join(await ctx.tempDir(), 'blobs'), governance: passThroughGovernance() }) : first;
    try {
      const writers = 12;
      const appends = 20;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const store = w % 2 === 0 ? first : second;
          for (let n = 0; n < appends; n++) {
            await store.conversations.append('crowd', [
              { role: 'user', speaker: `w${w}`, content: `q ${w} ${n}` },
              { role: 'assistant', speaker: `w${w}`, content: `a ${w} ${n}` },
            ]);
          }
        }),
      );
      const turns = await first.conversations.history('crowd');
      assert.equal(turns.length, writers * appends * 2);
      for (let i = 0; i < turns.length; i += 2) assert.equal(turns[i]!.content.slice(1), turns[i + 1]!.content.slice(1), `batch at ${i} split`);
      for (let w = 0; w < writers; w++) {
        const own = turns.filter((t) => t.speaker === `w${w}` && t.role === 'user').map((t) => t.content);
        assert.deepEqual(own, Array.from({ length: appends }, (_, n) => `q ${w} ${n}`), `writer ${w} in its own order`);
      }
    } finally {
      if (second !== first) await second.close();
    }
  });

  test('bad input is INVALID_INPUT', async () => {
    const store = await ctx.openFreshStore();
    await assert.rejects(store.conversations.append('', []), (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT');
    await assert.rejects(
      store.conversations.append('x', [{ role: 'robot' as never, speaker: null, content: 'hi' }]),
      (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT',
    );
  });
});
