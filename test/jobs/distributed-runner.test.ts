import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { LOCAL_CALLER } from '../../src/core/job-caller.ts';
import { pipelineSpecSchema } from '../../src/core/pipeline.ts';
import type { JobEvent } from '../../src/core/progress.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { RedisEventBus } from '../../src/jobs/events/redis-event-bus.ts';
import { LANES, type Lane } from '../../src/jobs/lanes.ts';
import { BullMqQueue } from '../../src/jobs/queues/bullmq-queue.ts';
import { JobRunner } from '../../src/jobs/runner.ts';
import { StepRegistry } from '../../src/jobs/step-registry.ts';
import { openStore, type OpenedStore } from '../../src/store/open.ts';
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

// Two runners as two processes would have them: each its own store connection to one
// PostgreSQL database, its own queue and bus connections to one Redis. A only produces.
let redis: TestRedis;
let pg: TestPostgres;
let dir: string;
before(async () => {
  [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
  dir = await mkdtemp(join(tmpdir(), 'shenbi-distributed-'));
});
after(async () => {
  await Promise.allSettled([redis?.stop(), pg?.stop()]);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const ONE_EACH = Object.fromEntries(LANES.map((lane) => [lane, 4])) as Record<Lane, number>;

interface Node {
  runner: JobRunner;
  store: OpenedStore;
  queue: BullMqQueue;
  bus: RedisEventBus;
  close(): Promise<void>;
}

async function node(prefix: string, lanes: Lane[], steps: StepDefinition[]): Promise<Node> {
  const store = await openStore({ database: pg.url, blobsDir: join(dir, 'blobs'), governance: implicitLabelRecord('Shenbi') });
  const queue = await BullMqQueue.open({ url: redis.url, prefix, lanes, concurrency: ONE_EACH });
  const bus = await RedisEventBus.open({ url: redis.url, prefix });
  const runner = new JobRunner({
    store,
    steps: new StepRegistry(steps),
    queue,
    eventBus: bus,
    clock: store.clock,
    heartbeatMs: 250,
    staleAfterMs: 1_000,
  });
  return {
    runner,
    store,
    queue,
    bus,
    async close() {
      await runner.close();
      await bus.close();
      await store.close();
    },
  };
}

const pipeline = (uses: string) => ({
  id: 'distributed',
  title: 'Distributed',
  inputs: { x: { type: 'number' } },
  steps: [{ id: 'one', uses, with: { value: { $from: 'inputs.x' } } }],
  outputs: { y: { $from: 'one.value' } },
});

test('submitted on A, run once on B; A follows its events and wait() wakes on the end event', async () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const runs: Array<{ owner: string; endedAt: number }> = [];
  const slowAdd = (owner: () => string): StepDefinition => ({
    type: 'work.add',
    title: 'Add',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    async run(ctx, inputs) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      ctx.progress({ fraction: 1, message: 'done' });
      runs.push({ owner: owner(), endedAt: Date.now() });
      return { value: (inputs.value as number) + 1 };
    },
  });
  let bOwner = '';
  const a = await node(prefix, [], [slowAdd(() => 'A')]);
  const b = await node(prefix, ['text'], [slowAdd(() => bOwner)]);
  bOwner = b.runner.owner;
  try {
    await Promise.all([a.bus.ready(), b.bus.ready()]);
    const events: JobEvent[] = [];
    const job = await a.runner.submit(pipeline('work.add'), { x: 41 });
    a.runner.subscribe(job.id, (event) => events.push(event));
    const done = await a.runner.wait(job.id);
    const wokeAt = Date.now();
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.outputs, { y: 42 });
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.owner, b.runner.owner);
    assert.equal(done.owner, b.runner.owner);
    const lag = wokeAt - (runs[0]?.endedAt ?? 0);
    process.stdout.write(`# A.wait woke ${lag} ms after B's step ended\n`);
    assert.ok(lag < 400, `A.wait woke ${lag} ms after the step ended (the fallback poll is 1,000 ms)`);
    const types = events.map((event) => event.type);
    for (const type of ['step.started', 'step.progress', 'step.completed', 'job.completed']) assert.ok(types.includes(type as JobEvent['type']), `A saw ${types.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(runs.length, 1, 'run exactly once');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a job cancelled on A while it runs on B ends cancelled', async () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  let started = false;
  let aborted = false;
  const forever: StepDefinition = {
    type: 'work.forever',
    title: 'Forever',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    async run(ctx) {
      started = true;
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      aborted = true;
      throw ctx.signal.reason ?? new Error('aborted');
    },
  };
  const a = await node(prefix, [], [forever]);
  const b = await node(prefix, ['text'], [forever]);
  try {
    await Promise.all([a.bus.ready(), b.bus.ready()]);
    const job = await a.runner.submit(pipeline('work.forever'), { x: 1 });
    const deadline = Date.now() + 10_000;
    while (!started) {
      if (Date.now() > deadline) throw new Error('B never started the job');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const waited = a.runner.wait(job.id);
    await a.runner.cancel(job.id);
    const ended = await waited;
    assert.equal(ended.status, 'cancelled');
    const bDeadline = Date.now() + 5_000;
    while (!aborted || b.runner.runsHere(job.id)) {
      if (Date.now() > bDeadline) throw new Error(`B kept running the cancelled job (aborted ${aborted})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await b.store.jobs.get(job.id)).status, 'cancelled');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('an id delivered before its row lands is run once the row is there; an id whose row never comes is dropped with a warning', async () => {
  // A submitter writes the row and enqueues the id at once (so pickup waits for neither alone):
  // a worker may get the id first, and must neither lose the job nor hang on a failed insert.
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const add: StepDefinition = {
    type: 'work.add',
    title: 'Add',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    run: async (_ctx, inputs) => ({ value: (inputs.value as number) + 1 }),
  };
  const a = await node(prefix, [], [add]);
  const b = await node(prefix, ['text'], [add]);
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  try {
    const late = newId('job');
    await a.queue.enqueue(late, { lane: 'text' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await a.store.jobs.create({ id: late, spec: pipelineSpecSchema.parse(pipeline('work.add')), input: { x: 1 }, caller: LOCAL_CALLER });
    const done = await a.runner.wait(late);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.outputs, { y: 2 });
    assert.equal(done.owner, b.runner.owner);

    const never = newId('job');
    const enqueuedAt = Date.now();
    await a.queue.enqueue(never, { lane: 'text' });
    const deadline = Date.now() + 10_000;
    while (!warnings.some((message) => message.includes(never))) {
      if (Date.now() > deadline) throw new Error(`no warning about ${never}: ${warnings.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const lookedFor = Date.now() - enqueuedAt;
    assert.ok(lookedFor >= 1_500 && lookedFor < 6_000, `looked for the row ${lookedFor} ms (about 2 s)`);
    assert.equal(b.runner.runsHere(never), false);
    assert.equal(await b.store.jobs.find(never), undefined, 'nothing was written for it');
  } finally {
    process.off('warning', onWarning);
    await Promise.all([a.close(), b.close()]);
  }
});
