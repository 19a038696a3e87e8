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

test('a full disk that makes SQLite roll back the whole group: its writers all hear DISK_FULL, and what resolves is what was committed', async () => {
  const fullDir = mkdtempSync(join(tmpdir(), 'shenbi-group-full-'));
  const fullFile = join(fullDir, 'f.sqlite');
  const fullRaw = new BetterSqlite3(fullFile);
  fullRaw.pragma('journal_mode = WAL');
  const full = new Kysely<Db>({ dialect: groupCommitSqliteDialect(fullRaw) });
  try {
    await sql`create table t (id integer primary key, v text not null)`.execute(full);
    // A database that may not grow by more than two pages: SQLITE_FULL, as on a full disk.
    fullRaw.pragma(`max_page_count = ${Number(fullRaw.pragma('page_count', { simple: true })) + 2}`);
    const results = await Promise.allSettled([
      full.insertInto('t').values({ id: 1, v: 'before' }).execute(),
      full.insertInto('t').values({ id: 2, v: 'x'.repeat(200_000) }).execute(),
      full.insertInto('t').values({ id: 3, v: 'after' }).execute(),
    ]);
    const reader = new BetterSqlite3(fullFile, { readonly: true });
    const committed = new Set((reader.prepare('select id from t').all() as Array<{ id: number }>).map((r) => r.id));
    reader.close();
    results.forEach((result, i) => {
      assert.equal(result.status === 'fulfilled', committed.has(i + 1), `write ${i + 1} was ${result.status} but is ${committed.has(i + 1) ? '' : 'not '}committed`);
    });
    for (const i of [0, 1]) {
      const result = results[i]!;
      assert.equal(result.status, 'rejected');
      assert.equal((result.reason as { code?: string }).code, 'SQLITE_FULL', `write ${i + 1}: ${String(result.reason)}`);
    }
    assert.equal(results[2]!.status, 'fulfilled', 'a write after the failure commits in a new group');
  } finally {
    await full.destroy();
    rmSync(fullDir, { recursive: true, force: true });
  }
});

test('a COMMIT that fails (as on a full disk) ends only its own transaction: the next one, and grouped writes, are not lost with it', async () => {
  const failDir = mkdtempSync(join(tmpdir(), 'shenbi-group-commit-fails-'));
  const failFile = join(failDir, 'c.sqlite');
  const failRaw = new BetterSqlite3(failFile);
  failRaw.pragma('journal_mode = WAL');
  failRaw.pragma('foreign_keys = ON');
  const fdb = new Kysely<{ parent: { id: number }; child: { id: number; parent: number } }>({ dialect: groupCommitSqliteDialect(failRaw) });
  try {
    await sql`create table parent (id integer primary key)`.execute(fdb);
    // Checked at COMMIT: a child without its parent makes COMMIT fail and leaves the transaction open.
    await sql`create table child (id integer primary key, parent integer not null references parent(id) deferrable initially deferred)`.execute(fdb);
    const failing = fdb.transaction().execute(async (trx) => {
      await trx.insertInto('child').values({ id: 1, parent: 99 }).execute();
    });
    // Waits for the failing transaction, then runs its own.
    const next = fdb.transaction().execute(async (trx) => {
      await trx.insertInto('parent').values({ id: 1 }).execute();
      await new Promise((resolve) => setTimeout(resolve, 10));
      await trx.insertInto('child').values({ id: 2, parent: 1 }).execute();
    });
    const grouped = fdb.insertInto('parent').values({ id: 2 }).execute();
    const results = await Promise.allSettled([failing, next, grouped]);
    assert.equal(results[0]!.status, 'rejected');
    assert.match(String((results[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.deepEqual(results.slice(1).map((r) => (r.status === 'rejected' ? String(r.reason) : r.status)), ['fulfilled', 'fulfilled']);
    const reader = new BetterSqlite3(failFile, { readonly: true });
    const parents = (reader.prepare('select id from parent order by id').all() as Array<{ id: number }>).map((r) => r.id);
    const children = (reader.prepare('select id from child order by id').all() as Array<{ id: number }>).map((r) => r.id);
    reader.close();
    assert.deepEqual([parents, children], [[1, 2], [2]]);
  } finally {
    await fdb.destroy();
    rmSync(failDir, { recursive: true, force: true });
  }
});
