import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ShenbiError } from '../../src/core/errors.ts';
import { MIGRATIONS, openDatabase, openStore, parseDatabaseUrl, redactDatabaseUrl } from '../../src/store/index.ts';
import { hasCode } from './fixtures.ts';
import { describeEachDialect, passThroughGovernance } from './dialects.ts';

describeEachDialect('database', (ctx) => {
  test('migrations are idempotent: opening twice (and at once) keeps one schema and the data', async () => {
    const url = await ctx.freshDatabaseUrl();
    const [first, second] = await Promise.all([openDatabase(url), openDatabase(url)]);
    await second.close();
    const tables = (await first.db.introspection.getTables()).map((t) => t.name).sort();
    for (const table of ['artifacts', 'job_steps', 'jobs', 'shenbi_migration', 'step_cache']) assert.ok(tables.includes(table), table);
    await first.db.insertInto('step_cache').values({ cache_key: 'k', step_type: 't', outputs: '{}', created_at: 'now' }).execute();
    await first.close();
    await first.close(); // idempotent

    const again = await openDatabase(url);
    try {
      const applied = await sql<{ name: string }>`select name from shenbi_migration order by name`.execute(again.db);
      assert.deepEqual(applied.rows.map((r) => r.name), Object.keys(MIGRATIONS));
      const rows = await again.db.selectFrom('step_cache').select('cache_key').execute();
      assert.deepEqual(rows, [{ cache_key: 'k' }]);
      const steps = await again.db.introspection.getTables().then((ts) => ts.find((t) => t.name === 'job_steps'));
      assert.deepEqual(steps?.columns.map((c) => c.name).sort(), [
        'attempts', 'cache_key', 'error_code', 'error_detail', 'error_message', 'finished_at', 'job_id', 'outputs', 'position', 'started_at', 'status', 'step_id',
      ]);
    } finally {
      await again.close();
    }
  });

  test('a database migrated by a newer Shenbi is refused with DATABASE_ERROR', async () => {
    const url = await ctx.freshDatabaseUrl();
    const handle = await openDatabase(url);
    await sql`insert into shenbi_migration (name, timestamp) values (${'9999-from-the-future'}, ${new Date().toISOString()})`.execute(handle.db);
    await handle.close();
    await assert.rejects(openDatabase(url), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'DATABASE_ERROR');
      assert.match(error.message, /newer version of Shenbi/);
      assert.match(error.message, /9999-from-the-future/);
      return true;
    });
  });

  test('BIGINT columns read back as numbers', async () => {
    const handle = await openDatabase(await ctx.freshDatabaseUrl());
    try {
      const big = 1_700_000_000_123;
      const now = new Date().toISOString();
      await handle.db
        .insertInto('jobs')
        .values({
          id: 'job_x', pipeline_id: 'p', spec: '{}', input: '{}', caller_tenant: null, local_files: 1, status: 'running', outputs: null, error_code: null, error_message: null,
          error_detail: null, recoveries: 0, owner: 'o', heartbeat_at: big, created_at: now, updated_at: now, started_at: null, finished_at: null,
        })
        .execute();
      const row = await handle.db.selectFrom('jobs').select(['heartbeat_at', (eb) => eb.fn.countAll().as('n')]).groupBy('heartbeat_at').executeTakeFirstOrThrow();
      assert.equal(row.heartbeat_at, big);
      assert.equal(row.n, 1);
    } finally {
      await handle.close();
    }
  });

  if (ctx.dialect === 'sqlite') {
    test('SQLite runs in WAL mode with foreign keys and a busy timeout', async () => {
      const handle = await openDatabase(await ctx.freshDatabaseUrl());
      try {
        const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(handle.db)).rows[0] ?? {})[0];
        assert.equal(await pragma('journal_mode'), 'wal');
        assert.equal(await pragma('foreign_keys'), 1);
        assert.equal(await pragma('synchronous'), 1); // NORMAL
        assert.ok(Number(await pragma('busy_timeout')) >= 1000);
      } finally {
        await handle.close();
      }
    });
  }
});

describe('database settings', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'shenbi-dburl-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('parses sqlite and postgres URLs', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:/var/lib/shenbi.db'), { dialect: 'sqlite', path: '/var/lib/shenbi.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseDatabaseUrl('sqlite://rel/shenbi.db'), { dialect: 'sqlite', path: 'rel/shenbi.db' });
    assert.deepEqual(parseDatabaseUrl('postgresql://u:p@db:5432/x'), { dialect: 'postgres', url: 'postgresql://u:p@db:5432/x' });
  });

  test('bad URLs are CONFIG_INVALID, with any password redacted', async () => {
    for (const bad of ['', 'mysql://u@h/db', 'sqlite:', '/just/a/path.db', 'postgres://', 'http://example.test']) {
      await assert.rejects(openDatabase(bad), hasCode('CONFIG_INVALID'), JSON.stringify(bad));
    }
    await assert.rejects(
      openStore({ database: 'oracle://scott:tiger@h/db', blobsDir: join(root, 'blobs'), governance: passThroughGovernance() }),
      (error: unknown) => {
        assert.ok(error instanceof ShenbiError);
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.doesNotMatch(error.message, /tiger/);
        return true;
      },
    );
    assert.equal(redactDatabaseUrl('postgres://user:s3cret@db.example:5432/shenbi'), 'postgres://user:***@db.example:5432/shenbi');
  });

  test('an unreachable PostgreSQL server is DATABASE_ERROR naming the URL without its password', async () => {
    // A port that was just free on 127.0.0.1, so nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1));
      });
    });
    const url = `postgres://shenbi:hunter2@127.0.0.1:${port}/shenbi`;
    await assert.rejects(openDatabase(url), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'DATABASE_ERROR');
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  test('a file that is not a SQLite database is DATABASE_ERROR', async () => {
    const path = join(root, 'not-a-db.sqlite');
    await writeFile(path, 'this is plain text, not a database file, and it is long enough to have a header'.repeat(10));
    await assert.rejects(openDatabase(`sqlite:${path}`), hasCode('DATABASE_ERROR'));
  });

  test('sqlite::memory: works and creates the schema', async () => {
    const handle = await openDatabase('sqlite::memory:');
    try {
      assert.equal(handle.dialect, 'sqlite');
      assert.deepEqual(await handle.db.selectFrom('jobs').selectAll().execute(), []);
    } finally {
      await handle.close();
    }
  });
});
