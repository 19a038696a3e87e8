import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { openStore } from '../../src/store/index.ts';
import { startServeProcess } from '../helpers/serve-process.ts';
import { SseReader } from '../helpers/sse-reader.ts';

// Every persisted boundary of the two-step blessing card (verse, then card): the job row
// written but not queued, claimed with no step done, after the verse, after the card (the
// job's own end not yet written). SHENBI_TEST_CRASH_AT holds one job at each and then makes
// the server kill -9 itself (src/jobs/crash-points.ts).
const POINTS = ['queued', 'claimed', 'step:verse', 'step:card'];
// Short leases so that the restarted server may take the jobs up soon.
const JOBS_CONFIG = { jobs: { heartbeatMs: 100, staleAfterMs: 1_500, recoverEveryMs: 300 } };

interface StoredJob {
  id: string;
  status: string;
  recoveries: number;
  steps: string;
}

function readJobs(home: string): StoredJob[] {
  const db = new Database(join(home, 'shenbi.db'), { readonly: true });
  try {
    db.pragma('busy_timeout = 10000');
    const jobs = db.prepare('SELECT id, status, recoveries FROM jobs ORDER BY id').all() as Array<Omit<StoredJob, 'steps'>>;
    const steps = db.prepare('SELECT status FROM job_steps WHERE job_id = ? ORDER BY position');
    return jobs.map((job) => ({ ...job, recoveries: Number(job.recoveries), steps: (steps.all(job.id) as Array<{ status: string }>).map((s) => s.status).join(',') }));
  } finally {
    db.close();
  }
}

const listDir = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

test('kill -9 of `shenbi serve` at every persisted step boundary; a restarted `shenbi serve` alone finishes every job', { timeout: 600_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-crash-'));
  writeFileSync(join(home, 'config.json'), JSON.stringify(JOBS_CONFIG));
  try {
    const startedAt = Date.now();
    const crashing = await startServeProcess({ home, env: { SHENBI_TEST_CRASH_AT: POINTS.join(',') } });
    t.diagnostic(`shenbi serve listened after ${Date.now() - startedAt} ms`);
    // One job per boundary; the one held before it is queued never answers (the kill cuts it off).
    const answers = await Promise.all(
      ['Ada', 'Bo', 'Cy', 'Di'].map((recipient, seed) =>
        fetch(`${crashing.url}/api/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pipeline: 'blessing-card', input: { recipient, seed } }),
        }).then(
          (response) => response.status,
          () => 'cut off',
        ),
      ),
    );
    assert.equal(await crashing.exited, 'SIGKILL', crashing.stderr());
    t.diagnostic(`answers before the kill: ${answers.join(', ')}`);

    // What the kill left: one job at each boundary, three of them "running" under a dead server.
    const left = readJobs(home);
    assert.deepEqual(
      left.map((j) => `${j.status}:${j.steps}`).sort(),
      ['queued:pending,pending', 'running:completed,completed', 'running:completed,pending', 'running:pending,pending'],
    );
    t.diagnostic(`temp blob files left by the kill: ${listDir(join(home, 'blobs', 'tmp')).length}`);

    // Restart the server only (no `shenbi jobs recover`), and watch every job from it, twice over.
    const restartedAt = Date.now();
    const restarted = await startServeProcess({ home });
    t.diagnostic(`the restarted shenbi serve listened after ${Date.now() - restartedAt} ms`);
    const watchers = left.flatMap((job) => [0, 1].map(() => ({ job, sse: new SseReader(`${restarted.url}/api/jobs/${job.id}/events`) })));
    try {
      for (const { job, sse } of watchers) {
        const events = await sse.untilEnd(120_000, `a watcher of the job left ${job.status}:${job.steps}`);
        const last = events.at(-1);
        assert.equal(last?.event, 'result', `${job.steps}: ${events.map((e) => `${e.event} ${e.data.slice(0, 200)}`).join('\n')}`);
        assert.equal((JSON.parse(last.data) as { status: string }).status, 'completed');
      }
      t.diagnostic(`every watcher had its result ${Date.now() - restartedAt} ms after the restart began`);
      for (const job of left) {
        const view = (await (await fetch(`${restarted.url}/api/jobs/${job.id}`)).json()) as { status: string; steps: Array<{ id: string; status: string; attempts: number }>; artifacts: unknown[] };
        assert.equal(view.status, 'completed');
        // A step finished before the kill was not run again.
        for (const [index, step] of view.steps.entries()) {
          assert.equal(step.status, 'completed', `${job.steps}: ${JSON.stringify(view.steps)}`);
          if (job.steps.split(',')[index] === 'completed') assert.equal(step.attempts, 1, `${step.id} ran again`);
        }
        assert.ok(view.artifacts.length >= 2);
      }
    } finally {
      for (const { sse } of watchers) sse.close();
      await restarted.stop();
    }

    const done = readJobs(home);
    for (const job of done) {
      const before = left.find((j) => j.id === job.id)!;
      assert.equal(job.status, 'completed');
      assert.equal(job.recoveries, before.status === 'running' ? 1 : 0, `recoveries of the job left ${before.status}`);
    }
    // No temp leftovers: blob temp files, work folders.
    assert.deepEqual(listDir(join(home, 'blobs', 'tmp')), []);
    assert.deepEqual(listDir(join(home, 'tmp', 'work')), []);
    // The ledger verifies and every artifact's bytes are whole.
    const store = await openStore({ database: `sqlite:${join(home, 'shenbi.db')}`, blobsDir: join(home, 'blobs'), governance: implicitLabelRecord('Shenbi') });
    try {
      const verification = await store.ledger.verifyChain();
      assert.equal(verification.ok, true, JSON.stringify(verification));
      for (const artifact of await store.artifacts.list({ limit: 1000 })) {
        const bytes = readFileSync((await store.blobs.localPath(artifact.blobRef)));
        assert.equal(createHash('sha256').update(bytes).digest('hex'), artifact.sha256);
      }
    } finally {
      await store.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
