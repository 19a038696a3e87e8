import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import type { JobQueue } from '../../src/jobs/queue.ts';
import { addStep, deferred, makeRunner, openTempStore, recordEvents, type TempStore } from './helpers.ts';

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

test('progress events arrive in order with fractions in 0..1 and an ETA', async () => {
  const slow: StepDefinition = {
    type: 'work.slow',
    title: 'Slow',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    async run(ctx, inputs) {
      for (let i = 1; i <= 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        ctx.progress({ fraction: i / 4, message: `part ${i} of 4` });
      }
      ctx.progress({ fraction: 7 }); // clamped to 1
      return { value: (inputs.value as number) * 2 };
    },
  };
  const runner = makeRunner(temp.store, [slow]);
  const events = recordEvents(runner);
  try {
    const job = await runner.submit(
      {
        id: 'progress',
        title: 'Progress',
        inputs: { x: { type: 'number' } },
        steps: [
          { id: 'one', uses: 'work.slow', with: { value: { $from: 'inputs.x' } } },
          { id: 'two', uses: 'work.slow', with: { value: { $from: 'one.value' } } },
        ],
        outputs: { y: { $from: 'two.value' } },
      },
      { x: 3 },
    );
    const done = await runner.wait(job.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.outputs, { y: 12 });
    const types = events.map((e) => `${e.type}${'stepId' in e && e.stepId ? `:${e.stepId}` : ''}`);
    assert.deepEqual(types, [
      'job.started',
      'step.started:one',
      ...Array(5).fill('step.progress:one'),
      'step.completed:one',
      'step.started:two',
      ...Array(5).fill('step.progress:two'),
      'step.completed:two',
      'job.completed',
    ]);
    const progress = events.filter((e) => e.type === 'step.progress');
    for (const event of progress) {
      assert.ok(event.fraction !== null && event.fraction >= 0 && event.fraction <= 1, `fraction ${event.fraction}`);
      assert.ok(event.etaMs !== null && event.etaMs >= 0, `eta ${event.etaMs}`);
    }
    assert.equal(progress[0]?.message, 'part 1 of 4');
    // Halfway through step one of two, a quarter of the job is done: the ETA is about 3× the elapsed time.
    const first = progress[0];
    assert.ok(first?.type === 'step.progress' && first.etaMs !== null && first.etaMs > 0);
    const last = progress.at(-1);
    assert.ok(last?.type === 'step.progress' && last.etaMs === 0);
    const times = events.map((e) => e.at);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    const steps = await temp.store.jobs.steps(job.id);
    assert.deepEqual(
      steps.map((s) => [s.stepId, s.status, s.attempts]),
      [
        ['one', 'completed', 1],
        ['two', 'completed', 1],
      ],
    );
  } finally {
    await runner.close();
  }
});

test('independent branches run in parallel, each engine under its own limit', async () => {
  let running = { gpu: 0, cpu: 0 };
  const peak = { gpu: 0, cpu: 0 };
  let branchesOverlapped = false;
  const make = (engine: 'gpu' | 'cpu'): StepDefinition => ({
    type: `par.${engine}`,
    title: engine,
    version: '1',
    engine,
    cacheable: false,
    inputs: { n: { type: 'number' } },
    outputs: { n: { type: 'number' } },
    async run(_ctx, inputs) {
      running = { ...running, [engine]: running[engine] + 1 };
      peak[engine] = Math.max(peak[engine], running[engine]);
      if (running.gpu > 0 && running.cpu > 0) branchesOverlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 30));
      running = { ...running, [engine]: running[engine] - 1 };
      return { n: inputs.n as number };
    },
  });
  const runner = makeRunner(temp.store, [make('gpu'), make('cpu')], { concurrency: { gpu: 1, cpu: 3 } });
  try {
    const steps = [
      ...[0, 1, 2].map((i) => ({ id: `g${i}`, uses: 'par.gpu', with: { n: i } })),
      ...[0, 1, 2, 3, 4, 5].map((i) => ({ id: `c${i}`, uses: 'par.cpu', with: { n: i } })),
    ];
    const job = await runner.submit({ id: 'parallel', title: 'Parallel', steps, outputs: { last: { $from: 'c5.n' } } }, {});
    const done = await runner.wait(job.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(peak, { gpu: 1, cpu: 3 });
    assert.ok(branchesOverlapped, 'gpu and cpu branches ran at the same time');
  } finally {
    await runner.close();
  }
});

test('a failing step fails the job with its code and step id; other branches are aborted, later steps skipped', async () => {
  const sawAbort = deferred<unknown>();
  let laterRan = false;
  const steps: StepDefinition[] = [
    {
      type: 'f.boom',
      title: 'Boom',
      version: '1',
      cacheable: false,
      inputs: {},
      outputs: { v: { type: 'number' } },
      async run() {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new ShenbiError('MODEL_NOT_INSTALLED', 'model tiny.gguf is not installed', { hint: 'shenbi models pull tiny' });
      },
    },
    {
      type: 'f.long',
      title: 'Long',
      version: '1',
      cacheable: false,
      inputs: {},
      outputs: { v: { type: 'number' } },
      run: (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort.resolve(ctx.signal.reason);
            reject(ctx.signal.reason);
          });
        }),
    },
    addStep('f.after', { count: 0 }, { cacheable: false, run: async () => ((laterRan = true), { value: 1 }) }),
  ];
  const runner = makeRunner(temp.store, steps);
  const events = recordEvents(runner);
  try {
    const job = await runner.submit(
      {
        id: 'failing',
        title: 'Failing',
        steps: [
          { id: 'boom', uses: 'f.boom' },
          { id: 'long', uses: 'f.long' },
          { id: 'after', uses: 'f.after', with: { value: { $from: 'boom.v' } } },
        ],
        outputs: { v: { $from: 'after.value' } },
      },
      {},
    );
    const done = await runner.wait(job.id);
    assert.equal(done.status, 'failed');
    assert.equal(done.error?.code, 'MODEL_NOT_INSTALLED');
    assert.equal(done.error?.hint, 'shenbi models pull tiny');
    assert.equal(done.error?.details?.stepId, 'boom');
    assert.match(done.error?.message ?? '', /Step "boom" \(f\.boom\) failed: model tiny\.gguf/);
    assert.ok((await sawAbort.promise) instanceof ShenbiError);
    assert.equal(laterRan, false);
    const stored = await temp.store.jobs.get(job.id);
    assert.deepEqual(stored.error, done.error);
    const steps = Object.fromEntries((await temp.store.jobs.steps(job.id)).map((s) => [s.stepId, s]));
    assert.equal(steps.boom?.status, 'failed');
    assert.equal(steps.boom?.attempts, 1);
    assert.equal(steps.boom?.error?.code, 'MODEL_NOT_INSTALLED');
    assert.equal(steps.long?.status, 'cancelled');
    assert.equal(steps.after?.status, 'skipped');
    const failed = events.filter((e) => e.type === 'job.failed');
    assert.equal(failed.length, 1);
    assert.ok(failed[0]?.type === 'job.failed' && failed[0].stepId === 'boom' && failed[0].code === 'MODEL_NOT_INSTALLED');
    assert.equal(events.at(-1)?.type, 'job.failed');
  } finally {
    await runner.close();
  }
});

test('writeArtifact records provenance: task, inputs, engine, parents, timings; outputs are checked', async () => {
  const steps: StepDefinition[] = [
    {
      type: 'art.make',
      title: 'Make',
      version: '1',
      cacheable: false,
      inputs: { text: { type: 'string' } },
      outputs: { doc: { type: 'artifact' } },
      async run(ctx, inputs) {
        const artifact = await ctx.writeArtifact({
          kind: 'text',
          mimeType: 'text/plain',
          bytes: Buffer.from(String(inputs.text)),
          engine: { id: 'test-engine', version: '0.1' },
          model: { name: 'tiny', sha256: null },
          parameters: { temperature: 0.5 },
          seed: 7,
        });
        return { doc: artifact.id };
      },
    },
    {
      type: 'art.upper',
      title: 'Upper',
      version: '1',
      cacheable: false,
      inputs: { doc: { type: 'artifact' } },
      outputs: { doc: { type: 'artifact' }, length: { type: 'integer' } },
      async run(ctx, inputs) {
        const { bytes } = await ctx.readArtifact(inputs.doc as string);
        const artifact = await ctx.writeArtifact({
          kind: 'text',
          mimeType: 'text/plain',
          bytes: Buffer.from(bytes.toString('utf8').toUpperCase()),
          engine: { id: 'upper', version: '1' },
        });
        return { doc: artifact.id, length: bytes.length };
      },
    },
    {
      type: 'art.liar',
      title: 'Liar',
      version: '1',
      cacheable: false,
      inputs: {},
      outputs: { doc: { type: 'artifact' } },
      run: async () => ({ doc: 'art_0000000000notreal000000000' }),
    },
  ];
  const runner = makeRunner(temp.store, steps);
  try {
    const job = await runner.submit(
      {
        id: 'artifacts',
        title: 'Artifacts',
        inputs: { text: { type: 'string' } },
        steps: [
          { id: 'make', uses: 'art.make', with: { text: { $from: 'inputs.text' } } },
          { id: 'upper', uses: 'art.upper', with: { doc: { $from: 'make.doc' } } },
        ],
        outputs: { doc: { $from: 'upper.doc' }, length: { $from: 'upper.length' } },
      },
      { text: 'hello' },
    );
    const done = await runner.wait(job.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const { artifact, bytes } = await temp.store.artifacts.read(done.outputs?.doc as string);
    assert.equal(bytes.toString(), 'HELLO');
    assert.equal(artifact.jobId, job.id);
    assert.equal(artifact.stepId, 'upper');
    assert.equal(artifact.provenance.task, 'art.upper');
    const made = await temp.store.artifacts.list({ jobId: job.id });
    const first = made.find((a) => a.stepId === 'make');
    assert.ok(first);
    assert.deepEqual(artifact.provenance.parents, [first.id]);
    assert.deepEqual(artifact.provenance.inputs, { doc: first.id });
    assert.deepEqual(first.provenance.inputs, { text: 'hello' });
    assert.deepEqual(first.provenance.engine, { id: 'test-engine', version: '0.1' });
    assert.deepEqual(first.provenance.model, { name: 'tiny', sha256: null });
    assert.deepEqual(first.provenance.parameters, { temperature: 0.5 });
    assert.equal(first.provenance.seed, 7);
    assert.ok(first.provenance.timings.durationMs >= 0);
    assert.ok(first.labels.some((l) => l.type === 'aigc-implicit'), 'governance hook ran');

    const liar = await runner.submit({ id: 'liar', title: 'Liar', steps: [{ id: 'l', uses: 'art.liar' }], outputs: { d: { $from: 'l.doc' } } }, {});
    const lied = await runner.wait(liar.id);
    assert.equal(lied.status, 'failed');
    assert.equal(lied.error?.code, 'ENGINE_FAILED');
    assert.match(lied.error?.message ?? '', /no artifact/);
  } finally {
    await runner.close();
  }
});

test('submit rejects a bad pipeline or input before anything is stored', async () => {
  const runner = makeRunner(temp.store, [addStep('v.add', { count: 0 })]);
  try {
    const before = (await temp.store.jobs.list()).length;
    const spec = { id: 'v', title: 'V', inputs: { x: { type: 'number' } }, steps: [{ id: 'a', uses: 'v.add', with: { value: { $from: 'inputs.x' } } }], outputs: { v: { $from: 'a.value' } } };
    await assert.rejects(runner.submit(spec, { x: 'one' }), (error: unknown) => {
      assert.ok(error instanceof ShenbiError && error.code === 'INVALID_INPUT');
      assert.match(error.message, /input\.x: expected a finite number/);
      return true;
    });
    await assert.rejects(runner.submit({ ...spec, steps: [{ id: 'a', uses: 'v.nope' }] }, { x: 1 }), { code: 'PIPELINE_INVALID' });
    await assert.rejects(runner.submit(spec, { x: 1, art: 'art_00000000000000000000000000' }), { code: 'INVALID_INPUT' });
    assert.equal((await temp.store.jobs.list()).length, before);
    await assert.rejects(runner.wait('job_00000000000000000000000000'), { code: 'JOB_NOT_FOUND' });
  } finally {
    await runner.close();
  }
});

test('behind the JobQueue interface, one runner submits and another (sharing the database) runs the job', async () => {
  /** Stands in for a shared queue (BullMQ later): whatever is enqueued goes to the worker's handler. */
  class HandOffQueue implements JobQueue {
    readonly deliversLocally = false;
    handler: ((jobId: string) => Promise<void>) | undefined;
    target: HandOffQueue | undefined;
    readonly delivered: string[] = [];
    async enqueue(jobId: string) {
      const handler = this.target?.handler;
      assert.ok(handler);
      this.target?.delivered.push(jobId);
      void handler(jobId);
    }
    process(handler: (jobId: string) => Promise<void>) {
      this.handler = handler;
    }
    async remove() {
      return false;
    }
    size() {
      return 0;
    }
    async depth() {
      return [];
    }
    async close() {}
  }
  const producerQueue = new HandOffQueue();
  const workerQueue = new HandOffQueue();
  producerQueue.target = workerQueue;
  const calls = { count: 0 };
  const producer = makeRunner(temp.store, [addStep('q.add', { count: 0 })], { queue: producerQueue, owner: 'producer' });
  const worker = makeRunner(temp.store, [addStep('q.add', calls)], { queue: workerQueue, owner: 'worker' });
  try {
    const job = await producer.submit({ id: 'shared', title: 'Shared', steps: [{ id: 'a', uses: 'q.add', with: { value: 41 } }], outputs: { v: { $from: 'a.value' } } }, {});
    const done = await producer.wait(job.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.outputs, { v: 42 });
    assert.equal(done.owner, 'worker');
    assert.equal(calls.count, 1);
    assert.deepEqual(workerQueue.delivered, [job.id]);
  } finally {
    await producer.close();
    await worker.close();
  }
});
