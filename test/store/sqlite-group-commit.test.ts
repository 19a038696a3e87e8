import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { groupCommitSqliteDialect } from '../../src/store/db/sqlite-group-commit.ts';

interface Db {
  t: { id: number; v: string };
}

let dir: string;
let file: string;
let raw: BetterSqlite3.Database;
let db: Kysely<Db>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shenbi-group-'));
  file = join(dir, 'g.sqlite');
  raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  db = new Kysely<Db>({ dialect: groupCommitSqliteDialect(raw) });
  await sql`create table t (id integer primary key, v text not null)`.execute(db);
});
after(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** What another process would see: a separate connection that only reads committed data. */
function committedCount(): number {
  const reader = new BetterSqlite3(file, { readonly: true });
  try {
    return (reader.prepare('select count(*) as n from t').get() as { n: number }).n;
  } finally {
    reader.close();
  }
}

test('concurrent writes share one commit, and each resolves only once it is committed', async () => {
  const base = committedCount();
  const writes = Array.from({ length: 50 }, (_, i) =>
    db
      .insertInto('t')
      .values({ id: 1000 + i, v: `w${i}` })
      .execute()
      .then(() => committedCount()),
  );
  // Before the group commits, nothing is visible outside.
  assert.equal(committedCount(), base);
  const seenAtResolve = await Promise.all(writes);
  for (const seen of seenAtResolve) assert.equal(seen, base + 50, 'resolved only after the COMMIT');
});

test('a failing statement fails alone; the rest of its group commits', async () => {
  const base = committedCount();
  const results = await Promise.allSettled([
    db.insertInto('t').values({ id: 2000, v: 'a' }).execute(),
    db.insertInto('t').values({ id: 1000, v: 'duplicate key' }).execute(),
    db.insertInto('t').values({ id: 2001, v: 'b' }).execute(),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE/);
  assert.equal(committedCount(), base + 2);
});

test('an explicit transaction commits the pending group first and excludes other writers until it ends', async () => {
  const order: string[] = [];
  const grouped = db.insertInto('t').values({ id: 3000, v: 'grouped' }).execute().then(() => order.push('grouped'));
  const explicit = db.transaction().execute(async (trx) => {
    await trx.insertInto('t').values({ id: 3001, v: 'in trx' }).execute();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A write from outside the transaction must not land inside it.
    const rows = await trx.selectFrom('t').select('id').where('id', '=', 3002).execute();
    order.push(`trx sees outsider: ${rows.length}`);
    await trx.insertInto('t').values({ id: 3003, v: 'in trx too' }).execute();
  });
  await new Promise((resolve) => setImmediate(resolve));
  const outsider = db.insertInto('t').values({ id: 3002, v: 'outsider' }).execute().then(() => order.push('outsider'));
  await Promise.all([grouped, explicit, outsider]);
  assert.deepEqual(order, ['grouped', 'trx sees outsider: 0', 'outsider']);

  const failed = db.transaction().execute(async (trx) => {
    await trx.insertInto('t').values({ id: 3004, v: 'rolled back' }).execute();
    throw new Error('boom');
  });
  await assert.rejects(failed, /boom/);
  const left = await db.selectFrom('t').select('id').where('id', 'in', [3001, 3002, 3003, 3004]).execute();
  assert.deepEqual(left.map((r) => r.id).sort(), [3001, 3002, 3003]);
});
