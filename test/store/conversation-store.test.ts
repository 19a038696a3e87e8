import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { describeEachDialect } from './dialects.ts';

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

  test('bad input is INVALID_INPUT', async () => {
    const store = await ctx.openFreshStore();
    await assert.rejects(store.conversations.append('', []), (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT');
    await assert.rejects(
      store.conversations.append('x', [{ role: 'robot' as never, speaker: null, content: 'hi' }]),
      (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT',
    );
  });
});
