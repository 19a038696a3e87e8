import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApiKeyRepository } from '../../src/server/auth/api-key-repository.ts';
import { KeyPresence } from '../../src/server/auth/key-presence.ts';
import { startTestServer, type TestServer } from './helpers.ts';

// A real server's key store (SQLite); calls to anyActive are counted on their way to it.
let t: TestServer;
before(async () => {
  t = await startTestServer({ withModel: false });
});
after(() => t.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('key presence: refreshed in the background, so an idle server answers its next request without asking the store; a new key shows within the second; stop stops it', async () => {
  const keys = t.server.server.services.keys;
  let queries = 0;
  const counted = { anyActive: () => (queries++, keys.anyActive()) } as unknown as ApiKeyRepository;
  const presence = new KeyPresence(counted);
  presence.start();
  try {
    assert.equal(await presence.anyKeys(), false);
    await sleep(1_300); // idle longer than the answer may be old
    const before = queries;
    assert.ok(before >= 2, `refreshed while idle (${before} queries: the first answer and at least one refresh)`);
    assert.equal(await presence.anyKeys(), false);
    assert.equal(queries, before, 'the request did not wait for a query');
    await keys.create({ tenant: 'erin', scopes: ['jobs:read'] });
    await sleep(1_100);
    assert.equal(await presence.anyKeys(), true, 'a key made elsewhere is seen within the second');
  } finally {
    await presence.stop();
  }
  const stopped = queries;
  await sleep(700);
  assert.equal(queries, stopped, 'no query after stop');
});

test('key presence without start: asks the store when its answer is a second old, not before', async () => {
  const keys = t.server.server.services.keys;
  let queries = 0;
  const presence = new KeyPresence({ anyActive: () => (queries++, keys.anyActive()) } as unknown as ApiKeyRepository);
  await presence.anyKeys();
  await presence.anyKeys();
  assert.equal(queries, 1);
  await sleep(1_050);
  await presence.anyKeys();
  assert.equal(queries, 2);
});
