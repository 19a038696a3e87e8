import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { JobEvent } from '../../src/core/progress.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { cacheKey, canonicalJson } from '../../src/jobs/cache-key.ts';
import type { JobRunner } from '../../src/jobs/runner.ts';
import { makeRunner, openTempStore, recordEvents, type TempStore } from './helpers.ts';

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

const calls: Record<string, number> = { write: 0, measure: 0, square: 0 };
let modelHash = 'model-v1';

const steps: StepDefinition[] = [
  {
    type: 'k.write',
    title: 'Write',
    version: '1',
    inputs: { text: { type: 'string' } },
    outputs: { doc: { type: 'artifact' } },
    cacheSalt: () => ({ model: modelHash }),
    async run(ctx, inputs) {
      calls.write = (calls.write ?? 0) + 1;
      const artifact = await ctx.writeArtifact({ kind: 'text', mimeType: 'text/plain', bytes: Buffer.from(`<${String(inputs.text)}>`), engine: { id: 'w', version: '1' } });
      return { doc: artifact.id };
    },
  },
  {
    type: 'k.measure',
    title: 'Measure',
    version: '1',
    inputs: { doc: { type: 'artifact' } },
    outputs: { length: { type: 'integer' } },
    async run(ctx, inputs) {
      calls.measure = (calls.measure ?? 0) + 1;
      return { length: (await ctx.readArtifact(inputs.doc as string)).bytes.length };
    },
  },
  {
    type: 'k.square',
    title: 'Square',
    version: '1',
    inputs: { n: { type: 'number' } },
    outputs: { n: { type: 'number' } },
    async run(_ctx, inputs) {
      calls.square = (calls.square ?? 0) + 1;
      return { n: (inputs.n as number) ** 2 };
    },
  },
];

const spec = {
  id: 'cached',
  title: 'Cached',
  inputs: { text: { type: 'string' }, n: { type: 'number' } },
  steps: [
    { id: 'write', uses: 'k.write', with: { text: { $from: 'inputs.text' } } },
    { id: 'measure', uses: 'k.measure', with: { doc: { $from: 'write.doc' } } },
    { id: 'square', uses: 'k.square', with: { n: { $from: 'inputs.n' } } },
  ],
  outputs: { doc: { $from: 'write.doc' }, length: { $from: 'measure.length' }, square: { $from: 'square.n' } },
};

async function run(runner: JobRunner, events: JobEvent[], input: Record<string, unknown>) {
  const before = { ...calls };
  const from = events.length;
  const job = await runner.wait((await runner.submit(spec, input)).id);
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const delta = Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v - (before[k] ?? 0)]));
  const cached = Object.fromEntries(
    events
      .slice(from)
      .filter((e) => e.type === 'step.completed')
      .map((e) => [e.type === 'step.completed' && e.stepId, e.type === 'step.completed' && e.cached]),
  );
  return { job, delta, cached };
}

test('an unchanged re-run does no engine work; a changed input re-runs only what depends on it', async () => {
  const runner = makeRunner(temp.store, steps);
  const events = recordEvents(runner);
  try {
    const first = await run(runner, events, { text: 'hello', n: 3 });
    assert.deepEqual(first.delta, { write: 1, measure: 1, square: 1 });
    assert.deepEqual(first.cached, { write: false, measure: false, square: false });

    const again = await run(runner, events, { text: 'hello', n: 3 });
    assert.deepEqual(again.delta, { write: 0, measure: 0, square: 0 }, 'no engine calls');
    assert.deepEqual(again.cached, { write: true, measure: true, square: true });
    assert.deepEqual(again.job.outputs, first.job.outputs, 'identical outputs');
    const statuses = (await temp.store.jobs.steps(again.job.id)).map((s) => [s.stepId, s.status, s.attempts]);
    assert.deepEqual(statuses, [
      ['write', 'cached', 0],
      ['measure', 'cached', 0],
      ['square', 'cached', 0],
    ]);

    const newN = await run(runner, events, { text: 'hello', n: 4 });
    assert.deepEqual(newN.delta, { write: 0, measure: 0, square: 1 });
    assert.equal(newN.job.outputs?.square, 16);

    const newText = await run(runner, events, { text: 'bye', n: 4 });
    assert.deepEqual(newText.delta, { write: 1, measure: 1, square: 0 });
    assert.equal(newText.job.outputs?.length, 5);
  } finally {
    await runner.close();
  }
});

test('a cached result whose artifact is gone runs again; artifact inputs are keyed by content', async () => {
  const runner = makeRunner(temp.store, steps);
  const events = recordEvents(runner);
  try {
    const first = await run(runner, events, { text: 'gone', n: 1 });
    const artifact = await temp.store.artifacts.get(first.job.outputs?.doc as string);
    await temp.store.blobs.delete(artifact.blobRef);
    const again = await run(runner, events, { text: 'gone', n: 1 });
    assert.deepEqual(again.delta, { write: 1, measure: 0, square: 0 });
    assert.deepEqual(again.cached, { write: false, measure: true, square: true });
    assert.notEqual(again.job.outputs?.doc, first.job.outputs?.doc, 'a new artifact');
    // The new artifact has the same bytes, so the step reading it is still a hit.
    assert.equal((await temp.store.artifacts.read(again.job.outputs?.doc as string)).bytes.toString(), '<gone>');
  } finally {
    await runner.close();
  }
});

test("a changed cacheSalt (the model file's hash) or step version misses the cache", async () => {
  const runner = makeRunner(temp.store, steps);
  const events = recordEvents(runner);
  try {
    await run(runner, events, { text: 'salty', n: 2 });
    modelHash = 'model-v2';
    const after = await run(runner, events, { text: 'salty', n: 2 });
    assert.deepEqual(after.delta, { write: 1, measure: 0, square: 0 });
  } finally {
    modelHash = 'model-v1';
    await runner.close();
  }
  const base = { stepType: 't', stepVersion: '1', inputs: { a: 1, b: [1, { c: 2, d: 3 }] }, salt: undefined };
  assert.equal(cacheKey(base), cacheKey({ ...base, inputs: { b: [1, { d: 3, c: 2 }], a: 1 } }), 'key order does not matter');
  assert.notEqual(cacheKey(base), cacheKey({ ...base, stepVersion: '2' }));
  assert.notEqual(cacheKey(base), cacheKey({ ...base, stepType: 'u' }));
  assert.notEqual(cacheKey(base), cacheKey({ ...base, inputs: { a: 2, b: [1, { c: 2, d: 3 }] } }));
  assert.notEqual(cacheKey(base), cacheKey({ ...base, salt: 'x' }));
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
});

test('with the cache off, every run does the work', async () => {
  const runner = makeRunner(temp.store, steps, { cache: false });
  const events = recordEvents(runner);
  try {
    await run(runner, events, { text: 'nocache', n: 9 });
    const again = await run(runner, events, { text: 'nocache', n: 9 });
    assert.deepEqual(again.delta, { write: 1, measure: 1, square: 1 });
  } finally {
    await runner.close();
  }
});
