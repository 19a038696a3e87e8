import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { JobEvent } from '../../src/core/progress.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { openStore } from '../../src/store/index.ts';
import { addStep, deferred, makeRunner, openTempStore, recordEvents, type TempStore } from './helpers.ts';

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

interface EngineLog {
  abortedWith: unknown;
  ticksAfterAbort: number;
  laterRan: boolean;
}

/** A long step that reports progress and stops when its signal aborts, like a real engine loop. */
function longStep(log: EngineLog, started: () => void): StepDefinition {
  return {
    type: 'c.long',
    title: 'Long',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    async run(ctx, inputs) {
      started();
      for (let i = 0; i < 500; i++) {
        if (ctx.signal.aborted) {
          log.abortedWith = ctx.signal.reason;
          ctx.progress({ fraction: 0.99, message: 'after abort' }); // must not reach listeners
          log.ticksAfterAbort += 1;
          throw ctx.signal.reason;
        }
        ctx.progress({ fraction: i / 500 });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return { value: inputs.value as number };
    },
  };
}

const pipeline = {
  id: 'cancel-me',
  title: 'Cancel me',
  inputs: { x: { type: 'number' } },
  steps: [
    { id: 'first', uses: 'c.add', with: { value: { $from: 'inputs.x' } } },
    { id: 'long', uses: 'c.long', with: { value: { $from: 'first.value' } } },
    { id: 'later', uses: 'c.later', with: { value: { $from: 'long.value' } } },
  ],
  outputs: { v: { $from: 'later.value' } },
};

test('cancelling a running job aborts the engine mid-run; later steps never run; nothing after job.cancelled', async () => {
  const log: EngineLog = { abortedWith: undefined, ticksAfterAbort: 0, laterRan: false };
  const longStarted = deferred();
  const runner = makeRunner(temp.store, [
    addStep('c.add', { count: 0 }, { cacheable: false }),
    longStep(log, () => longStarted.resolve()),
    addStep('c.later', { count: 0 }, { cacheable: false, run: async () => ((log.laterRan = true), { value: 0 }) }),
  ]);
  const events = recordEvents(runner);
  try {
    const job = await runner.submit(pipeline, { x: 1 });
    await longStarted.promise;
    await new Promise((resolve) => setTimeout(resolve, 30));
    await runner.cancel(job.id);
    const done = await runner.wait(job.id);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.finishedAt);
    // Give the engine time to notice and anything stray time to show up.
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.ok(log.abortedWith instanceof ShenbiError && log.abortedWith.code === 'JOB_CANCELLED', 'the engine saw the abort');
    assert.equal(log.ticksAfterAbort, 1);
    assert.equal(log.laterRan, false);
    const mine = events.filter((e) => e.jobId === job.id);
    assert.equal(mine.at(-1)?.type, 'job.cancelled');
    assert.equal(mine.filter((e) => e.type === 'job.cancelled').length, 1);
    assert.ok(mine.some((e) => e.type === 'step.progress'), 'progress was seen before the cancel');
    assert.ok(!mine.some((e) => e.type === 'step.progress' && e.message === 'after abort'));
    const stored = await temp.store.jobs.get(job.id);
    assert.equal(stored.status, 'cancelled');
    const steps = Object.fromEntries((await temp.store.jobs.steps(job.id)).map((s) => [s.stepId, s.status]));
    assert.deepEqual(steps, { first: 'completed', long: 'cancelled', later: 'skipped' });
    await assert.rejects(runner.cancel(job.id), { code: 'JOB_NOT_CANCELLABLE' });
  } finally {
    await runner.close();
  }
});

test('a step that ignores its signal does not hold up the cancel, but keeps its engine permit until it stops', async () => {
  const stubborn = deferred();
  const started = deferred();
  let secondStarted = 0;
  const steps: StepDefinition[] = [
    {
      type: 'c.stubborn',
      title: 'Stubborn',
      version: '1',
      engine: 'solo',
      cacheable: false,
      inputs: {},
      outputs: {},
      async run() {
        started.resolve();
        await stubborn.promise; // ignores ctx.signal entirely
        return {};
      },
    },
    {
      type: 'c.next',
      title: 'Next',
      version: '1',
      engine: 'solo',
      cacheable: false,
      inputs: {},
      outputs: {},
      run: async () => ((secondStarted = Date.now()), {}),
    },
  ];
  const runner = makeRunner(temp.store, steps, { concurrency: { solo: 1 } });
  try {
    const one = await runner.submit({ id: 'stubborn', title: 'S', steps: [{ id: 's', uses: 'c.stubborn' }], outputs: {} }, {});
    await started.promise;
    const two = await runner.submit({ id: 'next', title: 'N', steps: [{ id: 'n', uses: 'c.next' }], outputs: {} }, {});
    const t0 = Date.now();
    await runner.cancel(one.id);
    assert.equal((await runner.wait(one.id)).status, 'cancelled');
    assert.ok(Date.now() - t0 < 200, 'cancel returned promptly');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(secondStarted, 0, 'the solo engine is still busy with the stubborn step');
    const released = Date.now();
    stubborn.resolve();
    assert.equal((await runner.wait(two.id)).status, 'completed');
    assert.ok(secondStarted >= released);
  } finally {
    await runner.close();
  }
});

test('a queued job is cancelled at once and never runs', async () => {
  const gate = deferred();
  const started = deferred();
  let runs = 0;
  const steps: StepDefinition[] = [
    {
      type: 'c.gate',
      title: 'Gate',
      version: '1',
      cacheable: false,
      inputs: {},
      outputs: {},
      async run() {
        runs += 1;
        started.resolve();
        await gate.promise;
        return {};
      },
    },
  ];
  const runner = makeRunner(temp.store, steps, { jobConcurrency: 1 });
  const events: JobEvent[] = recordEvents(runner);
  try {
    const spec = { id: 'gate', title: 'G', steps: [{ id: 'g', uses: 'c.gate' }], outputs: {} };
    const first = await runner.submit(spec, {});
    const second = await runner.submit(spec, {});
    await started.promise;
    await runner.cancel(second.id);
    const cancelled = await runner.wait(second.id);
    assert.equal(cancelled.status, 'cancelled');
    gate.resolve();
    assert.equal((await runner.wait(first.id)).status, 'completed');
    assert.equal(runs, 1);
    assert.deepEqual(
      events.filter((e) => e.jobId === second.id).map((e) => e.type),
      ['job.cancelled'],
    );
  } finally {
    await runner.close();
  }
});

test('a job running in another runner is cancelled through the database; its owner notices at the heartbeat', async () => {
  const log: EngineLog = { abortedWith: undefined, ticksAfterAbort: 0, laterRan: false };
  const longStarted = deferred();
  const steps = [
    addStep('c.add', { count: 0 }, { cacheable: false }),
    longStep(log, () => longStarted.resolve()),
    addStep('c.later', { count: 0 }, { cacheable: false }),
  ];
  const owner = makeRunner(temp.store, steps, { heartbeatMs: 20, owner: 'owner-runner' });
  // A second runner with its own connection to the same database file, as another process would have.
  const otherStore = await openStore({ database: temp.database, blobsDir: temp.blobsDir, governance: implicitLabelRecord('Shenbi') });
  const other = makeRunner(otherStore, steps, { owner: 'other-runner' });
  const events = recordEvents(owner);
  try {
    const job = await owner.submit(pipeline, { x: 1 });
    await longStarted.promise;
    await other.cancel(job.id);
    const done = await owner.wait(job.id);
    assert.equal(done.status, 'cancelled');
    assert.equal((await other.wait(job.id)).status, 'cancelled');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.ok(log.abortedWith instanceof ShenbiError, 'the owner aborted its engine');
    assert.equal(events.filter((e) => e.jobId === job.id).at(-1)?.type, 'job.cancelled');
    const steps = Object.fromEntries((await temp.store.jobs.steps(job.id)).map((s) => [s.stepId, s.status]));
    assert.deepEqual(steps, { first: 'completed', long: 'cancelled', later: 'skipped' });
  } finally {
    await owner.close();
    await other.close();
    await otherStore.close();
  }
});

test('a cancel from another process that lands while the last step runs wins over the late completion', async () => {
  const gate = deferred();
  const started = deferred();
  const gated: StepDefinition = {
    type: 'c.gated',
    title: 'Gated',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    async run(_ctx, inputs) {
      started.resolve();
      await gate.promise; // ignores its signal on purpose: it finishes after the cancel
      return { value: inputs.value as number };
    },
  };
  // The owner's heartbeat is slow, so it does not notice the cancel before its step ends.
  const owner = makeRunner(temp.store, [gated], { heartbeatMs: 60_000 });
  const other = makeRunner(temp.store, [gated], { heartbeatMs: 60_000 });
  const events = recordEvents(owner);
  try {
    const job = await owner.submit(
      { id: 'race', title: 'Race', steps: [{ id: 'only', uses: 'c.gated', with: { value: 1 } }], outputs: { v: { $from: 'only.value' } } },
      {},
    );
    await started.promise;
    await other.cancel(job.id); // not local to `other`: recorded in the store only
    gate.resolve();
    const done = await owner.wait(job.id);
    assert.equal(done.status, 'cancelled');
    assert.equal(done.outputs, null);
    const types = events.filter((e) => e.jobId === job.id).map((e) => e.type);
    assert.equal(types.at(-1), 'job.cancelled');
    assert.ok(!types.includes('job.completed'));
  } finally {
    await owner.close();
    await other.close();
  }
});
