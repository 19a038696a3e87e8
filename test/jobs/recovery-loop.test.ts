import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { newId } from '../../src/core/ids.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { deferred, makeRunner, openTempStore } from './helpers.ts';

/** Rejects with `what` unless `promise` settles within `ms` (a hang becomes a failure). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const spec = { id: 'lease', title: 'Lease', steps: [{ id: 'a', uses: 'r.work', with: { value: 1 } }], outputs: { v: { $from: 'a.value' } } };

test("recoverContinuously takes up a dead runner's running and queued jobs once their leases go stale, never a live runner's", async () => {
  const temp = await openTempStore();
  // Long against the live runner's 50 ms heartbeat, so a loaded machine never makes it look dead.
  const STALE_MS = 2_000;
  const runs: Array<{ by: string; jobId: string; at: number }> = [];
  const gate = deferred();
  const workStep = (by: string): StepDefinition => ({
    type: 'r.work',
    title: 'Work',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    async run(ctx, inputs) {
      runs.push({ by, jobId: ctx.jobId, at: Date.now() });
      if (by === 'live') await gate.promise;
      return { value: (inputs.value as number) + 1 };
    },
  });
  const live = makeRunner(temp.store, [workStep('live')], { owner: 'live', heartbeatMs: 50, staleAfterMs: STALE_MS, jobConcurrency: 1 });
  const recovering = makeRunner(temp.store, [workStep('recovering')], { owner: 'recovering', heartbeatMs: 50, staleAfterMs: STALE_MS });
  let stop: (() => Promise<void>) | undefined;
  try {
    const liveRunning = await live.submit(spec);
    // Waits in the live runner's own queue (one job at a time there).
    const liveQueued = await live.submit(spec);
    // A process that died a moment ago: one job running, one still in its queue, leases fresh.
    const diedAt = Date.now();
    const deadRunning = newId('job');
    await temp.store.jobs.create({ id: deadRunning, spec: spec as never, input: {}, lease: { owner: 'dead', at: diedAt } });
    assert.ok(await temp.store.jobs.claim(deadRunning, 'dead', diedAt, 0));
    const deadQueued = newId('job');
    await temp.store.jobs.create({ id: deadQueued, spec: spec as never, input: {}, lease: { owner: 'dead', at: diedAt } });

    // An hour between passes: only the pass scheduled for when the dead leases go stale can come in time.
    stop = recovering.recoverContinuously(3_600_000);
    const [runningDone, queuedDone] = await within(
      Promise.all([recovering.wait(deadRunning), recovering.wait(deadQueued)]),
      STALE_MS + 15_000,
      "the dead runner's jobs were not recovered",
    );
    assert.equal(runningDone.status, 'completed');
    assert.equal(runningDone.recoveries, 1);
    assert.equal(queuedDone.status, 'completed');
    assert.equal(queuedDone.recoveries, 0);
    for (const id of [deadRunning, deadQueued]) {
      const run = runs.find((r) => r.jobId === id);
      assert.equal(run?.by, 'recovering');
      assert.ok(run.at >= diedAt + STALE_MS, `taken ${run.at - diedAt} ms after the lease was fresh, before it went stale`);
    }

    // The live runner kept both of its jobs, the queued one included.
    assert.deepEqual(
      runs.filter((r) => r.jobId === liveRunning.id || r.jobId === liveQueued.id).map((r) => r.by),
      ['live'],
    );
    const held = await temp.store.jobs.get(liveQueued.id);
    assert.deepEqual([held.status, held.owner], ['queued', 'live']);
    assert.deepEqual([(await temp.store.jobs.get(liveRunning.id)).owner], ['live']);
    gate.resolve();
    assert.equal((await live.wait(liveRunning.id)).status, 'completed');
    assert.equal((await live.wait(liveQueued.id)).status, 'completed');
    assert.deepEqual(
      runs.filter((r) => r.by === 'recovering').map((r) => r.jobId).sort(),
      [deadQueued, deadRunning].sort(),
    );
  } finally {
    gate.resolve();
    await stop?.();
    await live.close();
    await recovering.close();
    await temp.cleanup();
  }
});

test('an end the database refuses is written again until it lands; meanwhile waiters have it and nobody resumes the job', async () => {
  const temp = await openTempStore();
  const failing: StepDefinition = {
    type: 'r.fail',
    title: 'Fail',
    version: '1',
    cacheable: false,
    inputs: {},
    outputs: { value: { type: 'number' } },
    async run() {
      throw Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' });
    },
  };
  // The database refuses to record any job as failed, as one on a full disk refuses writes.
  const sqlite = new Database(join(temp.dir, 'shenbi.db'));
  sqlite.pragma('busy_timeout = 5000');
  sqlite.exec(`CREATE TRIGGER refuse_failures BEFORE UPDATE OF status ON jobs WHEN NEW.status = 'failed' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  // Leases far longer than the heartbeat: a loaded machine never makes the holder look dead.
  // Each heartbeat also retries the refused end (a write): at 50 ms a loaded machine's runner
  // held SQLite's write lock so often that this test's own DROP TRIGGER starved for 30 s.
  const runner = makeRunner(temp.store, [failing], { heartbeatMs: 250, staleAfterMs: 10_000 });
  const other = makeRunner(temp.store, [failing], { staleAfterMs: 10_000 });
  try {
    const job = await runner.submit({ id: 'full', title: 'Full', steps: [{ id: 'a', uses: 'r.fail', with: {} }], outputs: { v: { $from: 'a.value' } } });
    const ended = await within(runner.wait(job.id), 30_000, 'the waiter was not told the failure');
    assert.equal(ended.status, 'failed');
    assert.equal(ended.error?.code, 'DISK_FULL');
    // Not recorded yet, and not up for recovery: the runner still holds it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await temp.store.jobs.get(job.id)).status, 'running');
    assert.deepEqual((await other.recover()).resumed, []);

    // The runner writes every heartbeat; on a busy machine one busy_timeout may not win the write lock, so try again.
    for (let attempt = 0; ; attempt++) {
      try {
        sqlite.exec('DROP TRIGGER refuse_failures');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 10) throw error;
      }
    }
    const deadline = Date.now() + 15_000;
    let stored = await temp.store.jobs.get(job.id);
    while (stored.status !== 'failed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = await temp.store.jobs.get(job.id);
    }
    assert.equal(stored.status, 'failed', 'the end was never written');
    assert.equal(stored.error?.code, 'DISK_FULL');
    assert.deepEqual((await temp.store.jobs.steps(job.id)).map((s) => [s.stepId, s.status]), [['a', 'failed']]);
  } finally {
    sqlite.close();
    await runner.close();
    await other.close();
    await temp.cleanup();
  }
});

test('a submission whose own records fail (beforeCreate) leaves no job, and nothing runs later', async () => {
  const temp = await openTempStore();
  const calls = { count: 0 };
  const step: StepDefinition = {
    type: 'r.count',
    title: 'Count',
    version: '1',
    cacheable: false,
    inputs: {},
    outputs: { value: { type: 'number' } },
    async run() {
      calls.count += 1;
      return { value: calls.count };
    },
  };
  const runner = makeRunner(temp.store, [step]);
  try {
    const refused = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    await assert.rejects(
      runner.submit({ id: 'x', title: 'X', steps: [{ id: 'a', uses: 'r.count', with: {} }], outputs: {} }, {}, {
        beforeCreate: async () => {
          throw refused;
        },
      }),
      refused,
    );
    assert.deepEqual(await temp.store.jobs.list(), []);
    assert.deepEqual((await runner.recover()).resumed, []);
    assert.equal(calls.count, 0);
  } finally {
    await runner.close();
    await temp.cleanup();
  }
});
