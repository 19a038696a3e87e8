import assert from 'node:assert/strict';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { newId } from '../../src/core/ids.ts';
import { openStore } from '../../src/store/index.ts';
import { describeEachDialect, passThroughGovernance } from './dialects.ts';
import { hasCode, pipelineSpec } from './fixtures.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDialect('job repository', (ctx) => {
  test('an ended job stays ended: a later status change is refused (false), other fields still apply', async () => {
    const store = await ctx.openFreshStore();
    const id = newId('job');
    await store.jobs.create({ id, spec: pipelineSpec(['a']), input: {} });
    assert.equal(await store.jobs.update(id, { status: 'running' }), true);
    assert.equal(await store.jobs.update(id, { status: 'cancelled', finishedAt: '2026-01-01T00:00:00.000Z' }), true);
    // The owner finishing late must not turn a cancelled job into a completed one.
    assert.equal(await store.jobs.update(id, { status: 'completed', outputs: { x: 1 } }), false);
    const job = await store.jobs.get(id);
    assert.equal(job.status, 'cancelled');
    assert.equal(job.outputs, null);
    assert.equal(await store.jobs.update(id, { heartbeatAt: 5 }), true);
    await assert.rejects(store.jobs.update(newId('job'), { status: 'failed' }), hasCode('JOB_NOT_FOUND'));
  });

  test('create stores a queued job with one pending step per pipeline step, in order', async () => {
    const store = await ctx.openFreshStore();
    const id = newId('job');
    const spec = pipelineSpec(['zeta', 'alpha', 'mid']);
    const created = await store.jobs.create({ id, spec, input: { prompt: '你好' } });
    assert.equal(created.status, 'queued');
    assert.equal(created.pipelineId, 'test-pipeline');
    assert.deepEqual(created.spec, spec);
    assert.deepEqual(created.input, { prompt: '你好' });
    assert.equal(created.owner, null);
    assert.equal(created.recoveries, 0);
    assert.deepEqual(await store.jobs.get(id), created);

    const steps = await store.jobs.steps(id);
    assert.deepEqual(
      steps.map((s) => [s.stepId, s.status, s.attempts]),
      [
        ['zeta', 'pending', 0],
        ['alpha', 'pending', 0],
        ['mid', 'pending', 0],
      ],
    );
    assert.equal(await store.jobs.find(newId('job')), undefined);
    await assert.rejects(store.jobs.get(newId('job')), hasCode('JOB_NOT_FOUND'));
    // Same id twice: the database refuses, and the first job is intact.
    await assert.rejects(store.jobs.create({ id, spec, input: {} }), hasCode('DATABASE_ERROR'));
    assert.equal((await store.jobs.steps(id)).length, 3);
    // A spec that is not a pipeline never reaches the database.
    await assert.rejects(
      store.jobs.create({ id: newId('job'), spec: { ...spec, steps: [] }, input: {} }),
      hasCode('INVALID_INPUT'),
    );
  });

  test('create is all or nothing: a step row the database refuses leaves no job row', async () => {
    const store = await ctx.openFreshStore();
    // A trigger refusing one step id, from a second connection (the store's own is not exposed).
    if (ctx.dialect === 'sqlite') {
      const db = new BetterSqlite3(store.databaseUrl.slice('sqlite:'.length));
      db.exec("CREATE TRIGGER refuse_step BEFORE INSERT ON job_steps WHEN NEW.step_id = 'refused' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
      db.close();
    } else {
      const client = new pg.Client({ connectionString: store.databaseUrl });
      await client.connect();
      await client.query("CREATE FUNCTION refuse_step() RETURNS trigger AS $$ BEGIN IF NEW.step_id = 'refused' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
      await client.query('CREATE TRIGGER refuse_step BEFORE INSERT ON job_steps FOR EACH ROW EXECUTE FUNCTION refuse_step()');
      await client.end();
    }
    const id = newId('job');
    await assert.rejects(store.jobs.create({ id, spec: pipelineSpec(['fine', 'refused']), input: {} }), hasCode('DATABASE_ERROR'));
    assert.equal(await store.jobs.find(id), undefined);
    assert.deepEqual(await store.jobs.steps(id), []);
    // The same store still creates jobs whose steps it accepts.
    const other = newId('job');
    await store.jobs.create({ id: other, spec: pipelineSpec(['fine']), input: {} });
    assert.equal((await store.jobs.steps(other)).length, 1);
  });

  test('update and updateStep patch only the given fields; unknown ids are JOB_NOT_FOUND', async () => {
    const store = await ctx.openFreshStore();
    const id = newId('job');
    const created = await store.jobs.create({ id, spec: pipelineSpec(['a', 'b']), input: {} });
    await pause(5);
    const startedAt = new Date().toISOString();
    await store.jobs.updateStep(id, 'a', { status: 'running', attempts: 1, startedAt, cacheKey: 'k1' });
    await store.jobs.updateStep(id, 'a', { status: 'completed', outputs: { text: 'done', n: 2 }, finishedAt: startedAt });
    await store.jobs.updateStep(id, 'b', {
      status: 'failed',
      attempts: 3,
      error: { code: 'ENGINE_TIMEOUT', message: 'too slow', hint: 'raise the timeout', details: { ms: 5000 } },
    });
    const [a, b] = await store.jobs.steps(id);
    assert.deepEqual(a, {
      jobId: id,
      stepId: 'a',
      status: 'completed',
      attempts: 1,
      cacheKey: 'k1',
      outputs: { text: 'done', n: 2 },
      error: null,
      startedAt,
      finishedAt: startedAt,
    });
    assert.deepEqual(b?.error, { code: 'ENGINE_TIMEOUT', message: 'too slow', hint: 'raise the timeout', details: { ms: 5000 } });
    await store.jobs.updateStep(id, 'b', { error: null, status: 'pending' });
    assert.equal((await store.jobs.steps(id))[1]?.error, null);

    await store.jobs.update(id, { status: 'failed', error: { code: 'JOB_FAILED', message: 'step b failed' }, finishedAt: startedAt, recoveries: 2 });
    const job = await store.jobs.get(id);
    assert.equal(job.status, 'failed');
    assert.deepEqual(job.error, { code: 'JOB_FAILED', message: 'step b failed' });
    assert.equal(job.recoveries, 2);
    assert.equal(job.finishedAt, startedAt);
    assert.equal(job.outputs, null);
    assert.ok(job.updatedAt > created.updatedAt, 'updatedAt moves');
    // Fields other than status still apply to an ended job.
    assert.equal(await store.jobs.update(id, { outputs: { result: 'art_1' } }), true);
    assert.deepEqual((await store.jobs.get(id)).outputs, { result: 'art_1' });

    await assert.rejects(store.jobs.update(newId('job'), { status: 'failed' }), hasCode('JOB_NOT_FOUND'));
    await assert.rejects(store.jobs.updateStep(id, 'nope', { status: 'running' }), hasCode('JOB_NOT_FOUND'));
    await assert.rejects(store.jobs.updateStep(newId('job'), 'a', { status: 'running' }), hasCode('JOB_NOT_FOUND'));
    const badStatus = { status: 'exploded' } as unknown as Parameters<typeof store.jobs.update>[1];
    await assert.rejects(store.jobs.update(id, badStatus), hasCode('INVALID_INPUT'));
  });

  test('list returns newest first, filters by status and honours limit', async () => {
    const store = await ctx.openFreshStore();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = newId('job');
      ids.push(id);
      await store.jobs.create({ id, spec: pipelineSpec(['only']), input: { i } });
      await pause(3);
    }
    await store.jobs.update(ids[1] ?? '', { status: 'completed' });
    assert.deepEqual((await store.jobs.list()).map((j) => j.id), [...ids].reverse());
    assert.deepEqual((await store.jobs.list({ status: 'completed' })).map((j) => j.id), [ids[1]]);
    assert.deepEqual((await store.jobs.list({ status: 'queued', limit: 2 })).map((j) => j.id), [ids[3], ids[2]]);
  });

  test('claim: two concurrent claims on separate connections, exactly one wins', async () => {
    const store = await ctx.openFreshStore();
    // A second, independent connection (pool) to the same database, as a second runner has.
    const other = await openStore({ database: store.databaseUrl, blobsDir: store.blobsDir, governance: passThroughGovernance() });
    try {
      const now = Date.now();
      for (let round = 0; round < 20; round++) {
        const id = newId('job');
        await store.jobs.create({ id, spec: pipelineSpec(['s']), input: {} });
        const results = await Promise.all([
          store.jobs.claim(id, 'runner-a', now, now - 30_000),
          other.jobs.claim(id, 'runner-b', now, now - 30_000),
          store.jobs.claim(id, 'runner-c', now, now - 30_000),
        ]);
        assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results.join(',')}`);
        const job = await other.jobs.get(id);
        const winner = ['runner-a', 'runner-b', 'runner-c'][results.indexOf(true)];
        assert.equal(job.owner, winner);
        assert.equal(job.status, 'running');
        assert.equal(job.heartbeatAt, now);
        assert.equal(job.startedAt, new Date(now).toISOString());
      }
    } finally {
      await other.close();
    }
  });

  test('claim takes over only stale running jobs; heartbeat keeps a job held', async () => {
    const store = await ctx.openFreshStore();
    const id = newId('job');
    await store.jobs.create({ id, spec: pipelineSpec(['s']), input: {} });
    const t0 = 1_700_000_000_000;
    assert.equal(await store.jobs.claim(id, 'alive', t0, t0 - 10_000), true);
    // Fresh heartbeat: a second runner must not take it.
    assert.equal(await store.jobs.claim(id, 'thief', t0 + 5_000, t0 + 5_000 - 10_000), false);
    await store.jobs.heartbeat('alive', t0 + 9_000);
    assert.equal((await store.jobs.get(id)).heartbeatAt, t0 + 9_000);
    assert.equal(await store.jobs.claim(id, 'thief', t0 + 15_000, t0 + 15_000 - 10_000), false, 'heartbeat kept it');
    // The owner goes silent: after the stale window another runner takes over.
    assert.equal(await store.jobs.claim(id, 'rescuer', t0 + 30_000, t0 + 30_000 - 10_000), true);
    const job = await store.jobs.get(id);
    assert.equal(job.owner, 'rescuer');
    assert.equal(job.startedAt, new Date(t0).toISOString(), 'startedAt is the first start');
    // The old owner's heartbeat no longer touches it.
    await store.jobs.heartbeat('alive', t0 + 31_000);
    assert.equal((await store.jobs.get(id)).heartbeatAt, t0 + 30_000);
    // Finished jobs are never claimed.
    await store.jobs.update(id, { status: 'completed' });
    assert.equal(await store.jobs.claim(id, 'late', t0 + 99_000_000, t0 + 99_000_000), false);
    assert.equal(await store.jobs.claim(newId('job'), 'ghost', t0, t0), false);
  });

  test('claimFresh: a never-started queued job is claimed and returned in one statement; anything else is left to claim()', async () => {
    const store = await ctx.openFreshStore();
    const other = await openStore({ database: store.databaseUrl, blobsDir: store.blobsDir, governance: passThroughGovernance() });
    try {
      const t0 = 1_700_000_000_000;
      // Concurrent claimFresh and claim on separate connections: exactly one wins, and the winner's record is what is stored.
      for (let round = 0; round < 10; round++) {
        const id = newId('job');
        await store.jobs.create({ id, spec: pipelineSpec(['s']), input: { round } });
        const [a, b, c] = await Promise.all([
          store.jobs.claimFresh(id, 'runner-a', t0, t0 - 30_000),
          other.jobs.claimFresh(id, 'runner-b', t0, t0 - 30_000),
          store.jobs.claim(id, 'runner-c', t0, t0 - 30_000),
        ]);
        const winners = [a !== undefined, b !== undefined, c].filter(Boolean).length;
        assert.equal(winners, 1, `round ${round}`);
        const stored = await other.jobs.get(id);
        const returned = a ?? b;
        if (returned !== undefined) assert.deepEqual(returned, stored);
        assert.equal(stored.status, 'running');
        assert.equal(stored.heartbeatAt, t0);
        assert.equal(stored.startedAt, new Date(t0).toISOString());
        assert.deepEqual(stored.input, { round });
      }

      // A queued job under another runner's fresh lease (its own in-process queue) is not taken; a stale lease is.
      const leased = newId('job');
      await store.jobs.create({ id: leased, spec: pipelineSpec(['s']), input: {}, lease: { owner: 'submitter', at: t0 } });
      assert.equal(await store.jobs.claimFresh(leased, 'thief', t0 + 1_000, t0 + 1_000 - 10_000), undefined);
      assert.equal((await store.jobs.claimFresh(leased, 'submitter', t0 + 1_000, t0 + 1_000 - 10_000))?.owner, 'submitter');
      const stale = newId('job');
      await store.jobs.create({ id: stale, spec: pipelineSpec(['s']), input: {}, lease: { owner: 'dead', at: t0 } });
      assert.equal((await store.jobs.claimFresh(stale, 'rescuer', t0 + 20_000, t0 + 20_000 - 10_000))?.owner, 'rescuer');

      // A job that started before (handed back to the queue): claim() decides, claimFresh does not touch it.
      const requeued = newId('job');
      await store.jobs.create({ id: requeued, spec: pipelineSpec(['s']), input: {} });
      assert.equal(await store.jobs.claim(requeued, 'first', t0, t0 - 10_000), true);
      await store.jobs.update(requeued, { status: 'queued', owner: null, heartbeatAt: null });
      assert.equal(await store.jobs.claimFresh(requeued, 'second', t0 + 1_000, t0 - 10_000), undefined);
      assert.equal((await store.jobs.get(requeued)).status, 'queued');

      // Running (even under a stale lease), ended, cancelled or absent: undefined, nothing written.
      const running = newId('job');
      await store.jobs.create({ id: running, spec: pipelineSpec(['s']), input: {} });
      await store.jobs.claim(running, 'dead', t0, t0 - 10_000);
      assert.equal(await store.jobs.claimFresh(running, 'rescuer', t0 + 99_000, t0 + 98_000), undefined);
      assert.equal((await store.jobs.get(running)).owner, 'dead');
      const cancelled = newId('job');
      await store.jobs.create({ id: cancelled, spec: pipelineSpec(['s']), input: {} });
      await store.jobs.update(cancelled, { status: 'cancelled' });
      assert.equal(await store.jobs.claimFresh(cancelled, 'late', t0, t0), undefined);
      assert.equal((await store.jobs.get(cancelled)).status, 'cancelled');
      assert.equal(await store.jobs.claimFresh(newId('job'), 'ghost', t0, t0), undefined);
    } finally {
      await other.close();
    }
  });

  test('listRecoverable finds queued and stale running jobs, oldest first', async () => {
    const store = await ctx.openFreshStore();
    const t0 = 1_700_000_000_000;
    const make = async () => {
      const id = newId('job');
      await store.jobs.create({ id, spec: pipelineSpec(['s']), input: {} });
      await pause(3);
      return id;
    };
    const queued = await make();
    const stale = await make();
    const fresh = await make();
    const done = await make();
    assert.equal(await store.jobs.claim(stale, 'dead-runner', t0, t0), true);
    assert.equal(await store.jobs.claim(fresh, 'live-runner', t0 + 50_000, t0), true);
    await store.jobs.update(done, { status: 'completed' });
    const recoverable = await store.jobs.listRecoverable(t0 + 10_000);
    assert.deepEqual(recoverable.map((j) => j.id), [queued, stale]);
    assert.deepEqual((await store.jobs.listRecoverable(t0 + 60_000)).map((j) => j.id), [queued, stale, fresh]);
  });

  test("a queued job in a runner's own queue is leased: only that runner claims it until the lease goes stale", async () => {
    const store = await ctx.openFreshStore();
    const t0 = 1_700_000_000_000;
    const mine = newId('job');
    await store.jobs.create({ id: mine, spec: pipelineSpec(['s']), input: {}, lease: { owner: 'alive', at: t0 } });
    const shared = newId('job');
    await store.jobs.create({ id: shared, spec: pipelineSpec(['s']), input: {} });
    assert.deepEqual([(await store.jobs.get(mine)).owner, (await store.jobs.get(mine)).status], ['alive', 'queued']);
    // Fresh: not recoverable, not claimable by another runner; a lease-less job is anyone's.
    assert.deepEqual((await store.jobs.listRecoverable(t0 - 10_000)).map((j) => j.id), [shared]);
    assert.equal(await store.jobs.claim(mine, 'thief', t0 + 1_000, t0 - 10_000), false);
    assert.equal(await store.jobs.oldestLease('thief', t0 - 10_000), t0);
    assert.equal(await store.jobs.oldestLease('alive', t0 - 10_000), null, "one's own leases do not count");
    // The heartbeat keeps a queued job held too.
    await store.jobs.heartbeat('alive', t0 + 9_000);
    assert.equal(await store.jobs.claim(mine, 'thief', t0 + 15_000, t0 + 15_000 - 10_000), false);
    assert.equal(await store.jobs.oldestLease('thief', t0 + 15_000 - 10_000), t0 + 9_000);
    // Its runner dies: once stale, anyone may take it.
    assert.deepEqual((await store.jobs.listRecoverable(t0 + 30_000 - 10_000)).map((j) => j.id), [mine, shared]);
    assert.equal(await store.jobs.oldestLease('thief', t0 + 30_000 - 10_000), null);
    assert.equal(await store.jobs.claim(mine, 'rescuer', t0 + 30_000, t0 + 30_000 - 10_000), true);

    // A closing runner lets go of its queued jobs at once; its own claim needs no staleness.
    const parked = newId('job');
    await store.jobs.create({ id: parked, spec: pipelineSpec(['s']), input: {}, lease: { owner: 'closing', at: t0 } });
    const own = newId('job');
    await store.jobs.create({ id: own, spec: pipelineSpec(['s']), input: {}, lease: { owner: 'alive', at: t0 } });
    assert.equal(await store.jobs.claim(own, 'alive', t0 + 1, t0 - 10_000), true);
    await store.jobs.releaseQueued('closing');
    const released = await store.jobs.get(parked);
    assert.deepEqual([released.status, released.owner, released.heartbeatAt], ['queued', null, null]);
    assert.ok((await store.jobs.listRecoverable(t0 - 10_000)).some((j) => j.id === parked));
  });
});
