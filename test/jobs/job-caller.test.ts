import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { JobCaller } from '../../src/core/job-caller.ts';
import { newId } from '../../src/core/ids.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { makeRunner, openTempStore, type TempStore } from './helpers.ts';

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

/** A step that records the caller it ran for (as a file-reading step would check it). */
function callerProbe(seen: JobCaller[], options: Partial<StepDefinition> = {}): StepDefinition {
  return {
    type: 'probe.caller',
    title: 'Caller probe',
    version: '1',
    inputs: { path: { type: 'string' } },
    outputs: { localFiles: { type: 'boolean' } },
    async run(ctx) {
      seen.push(ctx.caller);
      return { localFiles: ctx.caller.localFiles };
    },
    ...options,
  };
}

const spec = {
  id: 'probe',
  title: 'Probe',
  description: '',
  inputs: { path: { type: 'string' } },
  steps: [{ id: 'probe', uses: 'probe.caller', with: { path: { $from: 'inputs.path' } } }],
  outputs: { localFiles: { $from: 'probe.localFiles' } },
};

test('steps see the caller the job was submitted with, the local user by default; a bad caller is refused', async () => {
  const seen: JobCaller[] = [];
  const runner = makeRunner(temp.store, [callerProbe(seen, { cacheable: false })]);
  try {
    const keyed = await runner.submit(spec, { path: '/srv/a.png' }, { caller: { tenant: 'alice', localFiles: false } });
    assert.equal((await runner.wait(keyed.id)).outputs?.localFiles, false);
    const cli = await runner.submit(spec, { path: '/srv/a.png' });
    assert.equal((await runner.wait(cli.id)).outputs?.localFiles, true);
    assert.deepEqual(seen, [{ tenant: 'alice', localFiles: false }, { tenant: null, localFiles: true }]);
    await assert.rejects(runner.submit(spec, { path: 'x' }, { caller: { tenant: 'alice', localFiles: 'no' } as never }), (e: unknown) => (e as { code?: string }).code === 'INVALID_INPUT');
  } finally {
    await runner.close();
  }
});

test('a job taken over after its runner died keeps its restriction: the recovering runner does not grant local files', async () => {
  const seen: JobCaller[] = [];
  const id = newId('job');
  await temp.store.jobs.create({ id, spec: spec as never, input: { path: '/srv/b.png' }, caller: { tenant: 'bob', localFiles: false } });
  assert.ok(await temp.store.jobs.claim(id, 'dead-runner', 1_000, 0));
  const runner = makeRunner(temp.store, [callerProbe(seen, { cacheable: false })], { staleAfterMs: 1_000 });
  try {
    const report = await runner.recover();
    assert.deepEqual(report.resumed, [id]);
    const done = await runner.wait(id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.deepEqual(seen, [{ tenant: 'bob', localFiles: false }]);
  } finally {
    await runner.close();
  }
});

test('a job that may not read local files never reuses a step result cached for one that may (a path in the inputs)', async () => {
  const seen: JobCaller[] = [];
  const runner = makeRunner(temp.store, [callerProbe(seen)]);
  try {
    const input = { path: '/srv/secret.png' };
    await runner.wait((await runner.submit(spec, input)).id);
    const keyed = await runner.wait((await runner.submit(spec, input, { caller: { tenant: 'mallory', localFiles: false } })).id);
    assert.equal(keyed.outputs?.localFiles, false, 'the keyed job ran its own step');
    await runner.wait((await runner.submit(spec, input, { caller: { tenant: 'mallory', localFiles: false } })).id);
    assert.deepEqual(seen.map((c) => c.localFiles), [true, false], 'one run per kind of caller; the second keyed job hit its own cache entry');
  } finally {
    await runner.close();
  }
});
