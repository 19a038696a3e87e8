import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { LOCAL_CALLER } from '../../src/core/job-caller.ts';
import { newId } from '../../src/core/ids.ts';
import { openDatabase } from '../../src/store/db/connect.ts';
import { MIGRATION_TABLE, migrateToLatest } from '../../src/store/db/migrate.ts';
import { staticMigrationProvider } from '../../src/store/db/migrations/index.ts';
import { SqlJobRepository } from '../../src/store/job-repository.ts';
import { describeEachDialect } from './dialects.ts';
import { pipelineSpec } from './fixtures.ts';

describeEachDialect('job caller', (ctx) => {
  test('who submitted a job is stored with it: jobs of API keys may not read local files, wherever it is read back', async () => {
    const store = await ctx.openFreshStore();
    const keyed = newId('job');
    const local = newId('job');
    const created = await store.jobs.create({ id: keyed, spec: pipelineSpec(['a']), input: {}, caller: { tenant: 'alice', localFiles: false } });
    assert.deepEqual(created.caller, { tenant: 'alice', localFiles: false });
    await store.jobs.create({ id: local, spec: pipelineSpec(['a']), input: {} });
    assert.deepEqual((await store.jobs.get(keyed)).caller, { tenant: 'alice', localFiles: false });
    assert.deepEqual((await store.jobs.get(local)).caller, LOCAL_CALLER);
    // A runner that claims it (another process after a crash) reads the same restriction.
    assert.ok(await store.jobs.claim(keyed, 'other-runner', 1_000, 0));
    const recoverable = await store.jobs.listRecoverable(Date.now() + 60_000);
    assert.deepEqual(recoverable.find((j) => j.id === keyed)?.caller, { tenant: 'alice', localFiles: false });
    const listed = await store.jobs.list();
    assert.deepEqual(Object.fromEntries(listed.map((j) => [j.id, j.caller.localFiles])), { [keyed]: false, [local]: true });
  });

  test('migration 0006: jobs that API keys submitted before it are restricted; other jobs keep reading local files', async () => {
    const url = await ctx.freshDatabaseUrl();
    const handle = await openDatabase(url, { migrate: false });
    try {
      const migrator = new Migrator({ db: handle.db, provider: staticMigrationProvider, migrationTableName: MIGRATION_TABLE, migrationLockTableName: 'shenbi_migration_lock' });
      const { error } = await migrator.migrateTo('0005-uploads');
      assert.equal(error, undefined);
      const now = new Date().toISOString();
      const spec = JSON.stringify(pipelineSpec(['a']));
      const ids = { keyed: newId('job'), keyless: newId('job'), cli: newId('job') };
      for (const id of Object.values(ids)) {
        await sql`INSERT INTO jobs (id, pipeline_id, spec, input, status, recoveries, created_at, updated_at) VALUES (${id}, 'test-pipeline', ${spec}, '{}', 'queued', 0, ${now}, ${now})`.execute(handle.db);
      }
      await sql`INSERT INTO api_job_owners (job_id, tenant, key_id, created_at) VALUES (${ids.keyed}, 'alice', 'key_1', ${now}), (${ids.keyless}, 'local', NULL, ${now})`.execute(handle.db);
      await migrateToLatest(handle.db, 'test');
      const jobs = new SqlJobRepository(handle.db, handle.dialect);
      assert.deepEqual((await jobs.get(ids.keyed)).caller, { tenant: 'alice', localFiles: false });
      assert.deepEqual((await jobs.get(ids.keyless)).caller, LOCAL_CALLER);
      assert.deepEqual((await jobs.get(ids.cli)).caller, LOCAL_CALLER);
    } finally {
      await handle.close();
    }
  });
});
