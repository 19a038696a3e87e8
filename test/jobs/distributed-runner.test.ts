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

async function node(prefix: string, lanes: Lane[], steps: StepDefinition[], queueOptions: { affinityWaitMs?: number; warmForMs?: number } = {}): Promise<Node> {
  const store = await openStore({ database: pg.url, blobsDir: join(dir, 'blobs'), governance: implicitLabelRecord('Shenbi') });
  const queue = await BullMqQueue.open({ url: redis.url, prefix, lanes, concurrency: ONE_EACH, ...queueOptions });
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

test('a job naming a model goes first to the worker that ran one with it lately; without that worker it runs elsewhere after the wait', async () => {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const runs = new Map<string, string[]>();
  const modelStep = (owner: () => string): StepDefinition => ({
    type: 'work.model',
    title: 'Uses a model',
    version: '1',
    engine: 'text',
    modelInput: 'model',
    cacheable: false,
    inputs: { model: { type: 'string', optional: true }, i: { type: 'number' } },
    outputs: { owner: { type: 'string' } },
    async run(_ctx, inputs) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const key = `${String(inputs.i)}`;
      runs.set(key, [...(runs.get(key) ?? []), owner()]);
      return { owner: owner() };
    },
  });
  const spec = { id: 'model-job', title: 'Model job', inputs: { model: { type: 'string' }, i: { type: 'number' } }, steps: [{ id: 'one', uses: 'work.model', with: { model: { $from: 'inputs.model' }, i: { $from: 'inputs.i' } } }], outputs: { owner: { $from: 'one.owner' } } };
  const waitMs = 700;
  const owners = { b: '', c: '' };
  const a = await node(prefix, [], [modelStep(() => 'A')], { affinityWaitMs: waitMs });
  const b = await node(prefix, ['text'], [modelStep(() => owners.b)], { affinityWaitMs: waitMs });
  const c = await node(prefix, ['text'], [modelStep(() => owners.c)], { affinityWaitMs: waitMs });
  owners.b = b.runner.owner;
  owners.c = c.runner.owner;
  let i = 0;
  const run = async (model: string) => {
    const job = await a.runner.submit(spec, { model, i: ++i });
    const done = await a.runner.wait(job.id);
    assert.equal(done.status, 'completed');
    return (done.outputs as { owner: string }).owner;
  };
  let cOpen = true;
  try {
    const first = await run('tiny.gguf');
    // The producer reads which models are warm where (it does so at most once a second on its own).
    const warm = await a.queue.warmModels();
    assert.equal(warm.size, 1, 'one model is warm');
    const next: string[] = [];
    for (let k = 0; k < 6; k++) next.push(await run('tiny.gguf'));
    assert.deepEqual(next, Array(6).fill(first), 'every later job of that model ran where the first did');
    // A cloud model is not steered: nothing is loaded for it.
    assert.equal((await a.queue.warmModels()).size, 1);
    await run('fake:cloud');
    assert.equal((await a.queue.warmModels()).size, 1, 'a provider:model makes no worker warm');

    // The warm worker goes away: its model's jobs still run, on the other one, after the wait.
    const warmNode = first === b.runner.owner ? b : c;
    const other = warmNode === b ? c : b;
    await warmNode.close();
    if (warmNode === c) cOpen = false;
    const startedAt = Date.now();
    const owner = await run('tiny.gguf');
    const tookMs = Date.now() - startedAt;
    assert.equal(owner, other.runner.owner);
    assert.ok(tookMs >= waitMs * 0.8, `ran elsewhere after ${tookMs} ms (the wait is ${waitMs} ms)`);
    // Every job ran exactly once (a withdrawn or a late duplicate delivery never runs twice).
    await new Promise((resolve) => setTimeout(resolve, waitMs + 300));
    for (const [key, owners] of runs) assert.equal(owners.length, 1, `job ${key} ran ${owners.length} times`);
    assert.equal(runs.size, i);
    if (warmNode === b) await Promise.all([a.close(), c.close()]);
    else await Promise.all([a.close(), b.close()]);
  } catch (error) {
    await Promise.allSettled([a.close(), b.close(), cOpen ? c.close() : undefined]);
    throw error;
  }
});
