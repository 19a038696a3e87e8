import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { test } from 'node:test';
import { openDatabase, openStore } from '../../src/store/index.ts';
import { createHash } from 'node:crypto';
import { ledgerBrokenError } from '../../src/cli/commands/ledger.ts';
import { canonicalJson } from '../../src/store/ledger/canonical-json.ts';
import { GENESIS_HASH, ledgerEntryHash } from '../../src/store/ledger/ledger-entry.ts';
import { provenanceLedgerMigration } from '../../src/store/db/migrations/0003-provenance-ledger.ts';
import { describeEachDialect, passThroughGovernance } from './dialects.ts';
import { hasCode, newArtifact } from './fixtures.ts';

/** Runs raw SQL against the store's database, as someone with database access would. */
async function tamper(databaseUrl: string, body: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<unknown>): Promise<void> {
  const handle = await openDatabase(databaseUrl, { migrate: false });
  try {
    await body(handle.db);
  } finally {
    await handle.close();
  }
}

describeEachDialect('provenance ledger', (ctx) => {
  test('every put appends one entry, chained from the genesis hash', async () => {
    const store = await ctx.openFreshStore();
    const a = await store.artifacts.put(newArtifact('one'));
    const b = await store.artifacts.put(newArtifact('two', { jobId: 'job_1', stepId: 'write' }));
    const c = await store.artifacts.put(newArtifact('three'));
    const entries = await store.ledger.entries();
    assert.deepEqual(entries.map((e) => [e.seq, e.artifactId]), [[1, a.id], [2, b.id], [3, c.id]]);
    assert.equal(entries[0]?.prevHash, GENESIS_HASH);
    assert.equal(entries[1]?.prevHash, entries[0]?.entryHash);
    assert.equal(entries[2]?.prevHash, entries[1]?.entryHash);
    for (const e of entries) assert.equal(e.entryHash, ledgerEntryHash(e));
    assert.ok(entries.every((e) => e.payload.v === 2), 'new entries use the v2 hash rule');
    const second = await store.ledger.entryFor(b.id);
    assert.equal(second?.payload.sha256, b.sha256);
    assert.equal(second?.payload.task, 'text.generate');
    assert.deepEqual(second?.payload.inputs, { prompt: 'a poem about ink' });
    assert.deepEqual(second?.payload.model, { name: 'stories260K', sha256: null });
    assert.equal(second?.payload.seed, 42);
    assert.equal(second?.payload.jobId, 'job_1');
    assert.deepEqual((await store.ledger.entries({ fromSeq: 2, toSeq: 2 })).map((e) => e.seq), [2]);
    const verified = await store.ledger.verifyChain();
    assert.deepEqual(verified, { ok: true, entries: 3, head: { seq: 3, entryHash: entries[2]?.entryHash }, unrecordedArtifacts: 0 });

    const lines: string[] = [];
    for await (const line of store.ledger.export()) lines.push(line);
    assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), JSON.parse(JSON.stringify(entries)) as unknown);
  });

  test('an edited payload is detected at its seq', async () => {
    const store = await ctx.openFreshStore();
    for (const text of ['a', 'b', 'c', 'd']) await store.artifacts.put(newArtifact(text));
    const target = (await store.ledger.entries({ fromSeq: 2, toSeq: 2 }))[0];
    assert.ok(target);
    const forged = JSON.stringify({ ...target.payload, seed: 7 });
    await tamper(store.databaseUrl, (db) => db.updateTable('provenance_ledger').set({ payload: forged }).where('seq', '=', 2).execute());
    assert.deepEqual(await store.ledger.verifyChain().then((v) => [v.ok, v.entries, v.firstBroken]), [false, 1, { seq: 2, reason: 'hash-mismatch', artifactId: target.artifactId }]);

    // Recomputing that entry's hash to hide the edit breaks the link of the next one.
    const rehashed = ledgerEntryHash({ ...target, payload: JSON.parse(forged) as unknown });
    await tamper(store.databaseUrl, (db) => db.updateTable('provenance_ledger').set({ entry_hash: rehashed }).where('seq', '=', 2).execute());
    assert.deepEqual((await store.ledger.verifyChain()).firstBroken?.seq, 3);
    assert.deepEqual((await store.ledger.verifyChain()).firstBroken?.reason, 'prev-hash-mismatch');
  });

  test('a forged created_at or artifact_id column breaks the entry hash, and verify names the entry', async () => {
    const store = await ctx.openFreshStore();
    for (const text of ['a', 'b', 'c']) await store.artifacts.put(newArtifact(text));
    const target = (await store.ledger.entries({ fromSeq: 2, toSeq: 2 }))[0];
    assert.ok(target);
    await tamper(store.databaseUrl, (db) => db.updateTable('provenance_ledger').set({ created_at: '1999-01-01T00:00:00.000Z' }).where('seq', '=', 2).execute());
    const verified = await store.ledger.verifyChain();
    assert.deepEqual([verified.ok, verified.firstBroken], [false, { seq: 2, reason: 'hash-mismatch', artifactId: target.artifactId }]);
    assert.match(ledgerBrokenError(verified).message, new RegExp(`seq 2 \\(hash-mismatch, ${target.artifactId}\\)`));

    await tamper(store.databaseUrl, (db) => db.updateTable('provenance_ledger').set({ created_at: target.createdAt, artifact_id: 'art_forged' }).where('seq', '=', 2).execute());
    assert.deepEqual((await store.ledger.verifyChain()).firstBroken, { seq: 2, reason: 'hash-mismatch', artifactId: 'art_forged' });
  });

  test("an artifact row whose created_at was changed no longer matches its entry", async () => {
    const store = await ctx.openFreshStore();
    const a = await store.artifacts.put(newArtifact('a'));
    await tamper(store.databaseUrl, (db) => db.updateTable('artifacts').set({ created_at: '1999-01-01T00:00:00.000Z' }).where('id', '=', a.id).execute());
    assert.deepEqual((await store.ledger.verifyChain()).firstBroken, { seq: 1, reason: 'artifact-created-at-mismatch', artifactId: a.id });
  });

  test('v1 entries written before the v2 hash rule still verify, and a forged created_at on them is caught', async () => {
    const store = await ctx.openFreshStore();
    for (const text of ['a', 'b']) await store.artifacts.put(newArtifact(text));
    // Rewrite the chain as a v1 ledger would have written it: payload v 1, hash over (seq, prevHash, payload).
    let prevHash = GENESIS_HASH;
    for (const entry of await store.ledger.entries()) {
      const payload = { ...entry.payload, v: 1 as const };
      const entryHash = ledgerEntryHash({ ...entry, prevHash, payload });
      assert.equal(entryHash, createHash('sha256').update(canonicalJson({ seq: entry.seq, prevHash, payload })).digest('hex'));
      await tamper(store.databaseUrl, async (db) => {
        await db.updateTable('provenance_ledger').set({ payload: JSON.stringify(payload), prev_hash: prevHash, entry_hash: entryHash }).where('seq', '=', entry.seq).execute();
        await db.updateTable('provenance_ledger_head').set({ entry_hash: entryHash }).where('id', '=', 1).execute();
      });
      prevHash = entryHash;
    }
    assert.equal((await store.ledger.verifyChain()).ok, true);
    const c = await store.artifacts.put(newArtifact('c'));
    assert.equal((await store.ledger.entryFor(c.id))?.payload.v, 2, 'a new entry after v1 ones uses the v2 rule');
    assert.equal((await store.ledger.verifyChain()).ok, true);

    const first = (await store.ledger.entries())[0];
    assert.ok(first);
    await tamper(store.databaseUrl, (db) => db.updateTable('provenance_ledger').set({ created_at: '1999-01-01T00:00:00.000Z' }).where('seq', '=', 1).execute());
    assert.deepEqual((await store.ledger.verifyChain()).firstBroken, { seq: 1, reason: 'created-at-mismatch', artifactId: first.artifactId });
  });

  test('a deleted entry is detected, in the middle or at the end', async () => {
    const store = await ctx.openFreshStore();
    for (const text of ['a', 'b', 'c', 'd']) await store.artifacts.put(newArtifact(text));
    await tamper(store.databaseUrl, (db) => db.deleteFrom('provenance_ledger').where('seq', '=', 4).execute());
    assert.deepEqual((await store.ledger.verifyChain()).firstBroken, { seq: 4, reason: 'missing-entry' });
    await tamper(store.databaseUrl, (db) => db.deleteFrom('provenance_ledger').where('seq', '=', 2).execute());
    const verified = await store.ledger.verifyChain();
    assert.equal(verified.ok, false);
    assert.deepEqual(verified.firstBroken, { seq: 2, reason: 'missing-entry' });
    assert.equal(verified.unrecordedArtifacts, 2, 'the two artifacts whose entries were deleted');
  });

  test('an artifact row whose sha256 was changed no longer matches its entry', async () => {
    const store = await ctx.openFreshStore();
    const a = await store.artifacts.put(newArtifact('a'));
    await tamper(store.databaseUrl, (db) => db.updateTable('artifacts').set({ sha256: 'f'.repeat(64) }).where('id', '=', a.id).execute());
    assert.deepEqual((await store.ledger.verifyChain()).firstBroken, { seq: 1, reason: 'artifact-sha256-mismatch', artifactId: a.id });
  });

  test('concurrent puts from two store instances form one valid chain', async () => {
    const store = await ctx.openFreshStore();
    const other = await openStore({ database: store.databaseUrl, blobsDir: store.blobsDir, governance: passThroughGovernance() });
    try {
      const puts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).artifacts.put(newArtifact(`item ${i}`))));
      const verified = await store.ledger.verifyChain();
      assert.equal(verified.ok, true, JSON.stringify(verified));
      assert.equal(verified.entries, 40);
      const entries = await store.ledger.entries();
      assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 40 }, (_, i) => i + 1));
      assert.deepEqual(new Set(entries.map((e) => e.artifactId)), new Set(puts.map((p) => p.id)));
    } finally {
      await other.close();
    }
  });

  test('when the ledger append fails, the artifact row is not stored either', async () => {
    const store = await ctx.openFreshStore();
    await store.artifacts.put(newArtifact('before'));
    await tamper(store.databaseUrl, (db) => db.deleteFrom('provenance_ledger_head').execute());
    await assert.rejects(store.artifacts.put(newArtifact('after')), hasCode('DATABASE_ERROR'));
    assert.deepEqual((await store.artifacts.list()).map((a) => a.kind), ['text']);
  });

  test('the migration enters artifacts stored before the ledger existed', async () => {
    const store = await ctx.openFreshStore();
    const a = await store.artifacts.put(newArtifact('old one'));
    await new Promise((r) => setTimeout(r, 3));
    const b = await store.artifacts.put(newArtifact('old two'));
    await store.close();
    await tamper(store.databaseUrl, async (db) => {
      await sql`drop table provenance_ledger`.execute(db);
      await sql`drop table provenance_ledger_head`.execute(db);
      // Later migrations are applied already; run this one's `up` as on an old database.
      await provenanceLedgerMigration.up(db as never);
    });
    const reopened = await openStore({ database: store.databaseUrl, blobsDir: store.blobsDir, governance: passThroughGovernance() });
    try {
      assert.deepEqual((await reopened.ledger.entries()).map((e) => e.artifactId), [a.id, b.id]);
      assert.equal((await reopened.ledger.verifyChain()).ok, true);
      await reopened.artifacts.put(newArtifact('new'));
      assert.equal((await reopened.ledger.verifyChain()).entries, 3);
    } finally {
      await reopened.close();
    }
  });
});
