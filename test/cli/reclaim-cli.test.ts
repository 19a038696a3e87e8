import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { openStore } from '../../src/store/index.ts';
import { runCli } from '../helpers/cli.ts';
import { newArtifact, pipelineSpec } from '../store/fixtures.ts';

describe('shenbi artifacts rm / jobs rm / gc', () => {
  let home: string;
  const open = () => openStore({ database: `sqlite:${join(home, 'shenbi.db')}`, blobsDir: join(home, 'blobs'), governance: implicitLabelRecord('t') });
  const ids: Record<string, string> = {};
  const paths: Record<string, string> = {};
  const runningJob = newId('job');
  const doneJob = newId('job');
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'shenbi-reclaim-cli-'));
    const store = await open();
    for (const [name, text, jobId] of [['a', 'alpha', null], ['b', 'beta', null], ['running', 'in progress', runningJob], ['done', 'finished', doneJob]] as const) {
      if (jobId !== null) await store.jobs.create({ id: jobId, spec: pipelineSpec(['a']), input: {} });
      const artifact = await store.artifacts.put(newArtifact(text, { jobId }));
      ids[name] = artifact.id;
      paths[name] = (await store.blobs.localPath(artifact.blobRef));
    }
    await store.jobs.update(runningJob, { status: 'running' });
    await store.jobs.update(doneJob, { status: 'completed' });
    await store.close();
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('artifacts rm deletes and reclaims; a running job exits 2 with JOB_RUNNING', async () => {
    const rm = await runCli(['artifacts', 'rm', ids.a!, ids.b!], { home });
    assert.equal(rm.status, 0, rm.stderr);
    assert.match(rm.stdout, /deleted 2 artifact\(s\); reclaimed 2 blob\(s\)/);
    assert.equal(existsSync(paths.a!), false);
    const refused = await runCli(['--json', 'artifacts', 'rm', ids.running!], { home });
    assert.equal(refused.status, 2, refused.stderr);
    assert.equal((JSON.parse(refused.stdout) as { error: { code: string } }).error.code, 'JOB_RUNNING');
    assert.ok(existsSync(paths.running!));
    const verify = await runCli(['ledger', 'verify'], { home });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });

  test('jobs rm deletes a finished job’s artifacts and keeps the job; a running one is refused', async () => {
    const refused = await runCli(['jobs', 'rm', runningJob], { home });
    assert.equal(refused.status, 2);
    const done = await runCli(['--json', 'jobs', 'rm', doneJob], { home });
    assert.equal(done.status, 0, done.stderr);
    const report = JSON.parse(done.stdout) as { jobId: string; deletedArtifacts: string[]; blobsRemoved: number };
    assert.deepEqual(report.deletedArtifacts, [ids.done]);
    assert.equal(report.blobsRemoved, 1);
    const store = await open();
    assert.equal((await store.jobs.get(doneJob)).status, 'completed', 'the job record stays');
    assert.deepEqual(await store.artifacts.list({ jobId: doneJob }), []);
    await store.close();
  });

  test('gc keeps recent unreferenced blobs, then removes old ones and prints what it reclaimed', async () => {
    // An orphan blob (as a failed insert would leave), first recent, then old.
    const store = await open();
    const orphan = await store.blobs.put(Buffer.from('orphan bytes'));
    await store.close();
    const orphanPath = join(home, 'blobs', 'sha256', orphan.sha256.slice(0, 2), orphan.sha256.slice(2, 4), orphan.sha256);
    const recent = await runCli(['--json', 'gc'], { home });
    assert.equal(recent.status, 0, recent.stderr);
    assert.deepEqual((JSON.parse(recent.stdout) as { blobsRemoved: number; blobsKept: number }).blobsKept, 1);
    assert.ok(existsSync(orphanPath));
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(orphanPath, old, old);
    const swept = await runCli(['gc'], { home });
    assert.equal(swept.status, 0, swept.stderr);
    assert.match(swept.stdout, /^reclaimed 1 blob\(s\), 12 B/m);
    assert.match(swept.stdout, /removed \d+ abandoned temp file\(s\)/);
    assert.equal(existsSync(orphanPath), false);
    assert.ok(existsSync(paths.running!), 'referenced blobs stay');
  });
});
