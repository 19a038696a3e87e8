import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from './helpers.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer({ withModel: false });
});
after(() => t.close());

test('a submission the server fails to record leaves no job behind, and nothing runs later', async () => {
  // The database refuses the job's owner row, as a full disk refuses a write.
  const sqlite = new Database(join(t.home, 'shenbi.db'));
  sqlite.pragma('busy_timeout = 10000');
  sqlite.exec(`CREATE TRIGGER refuse_owners BEFORE INSERT ON api_job_owners BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  try {
    const response = await fetch(`${t.url}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'blessing-card', input: { recipient: 'Nobody', seed: 3 } }),
    });
    assert.ok(response.status >= 500, `status ${response.status}`);
    assert.match(await response.text(), /database or disk is full/);
    // The client was told it failed: no job exists.
    assert.deepEqual((await t.shenbi.store.jobs.list()).map((j) => j.status), []);
    sqlite.exec('DROP TRIGGER refuse_owners');
  } finally {
    sqlite.close();
  }
  // None is recovered, and no artifact is ever made.
  assert.deepEqual((await t.shenbi.runner.recover()).resumed, []);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.deepEqual(await t.shenbi.store.jobs.list(), []);
  assert.deepEqual(await t.shenbi.store.artifacts.list(), []);
});
