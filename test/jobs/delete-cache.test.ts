import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StepDefinition } from '../../src/core/step.ts';
import { makeRunner, openTempStore, type TempStore } from './helpers.ts';

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

let writes = 0;
const steps: StepDefinition[] = [
  {
    type: 'd.write',
    title: 'Write',
    version: '1',
    inputs: { text: { type: 'string' } },
    outputs: { doc: { type: 'artifact' } },
    async run(ctx, inputs) {
      writes += 1;
      const artifact = await ctx.writeArtifact({ kind: 'text', mimeType: 'text/plain', bytes: Buffer.from(`<${String(inputs.text)}>`), engine: { id: 'w', version: '1' } });
      return { doc: artifact.id };
    },
  },
];
const spec = {
  id: 'deletable',
  title: 'Deletable',
  inputs: { text: { type: 'string' } },
  steps: [{ id: 'write', uses: 'd.write', with: { text: { $from: 'inputs.text' } } }],
  outputs: { doc: { $from: 'write.doc' } },
};

test('after its output is deleted, a re-run of a cached pipeline regenerates instead of returning the dangling id', async () => {
  const runner = makeRunner(temp.store, steps);
  try {
    const first = await runner.wait((await runner.submit(spec, { text: 'ink' })).id);
    const firstDoc = first.outputs?.doc as string;
    const cached = await runner.wait((await runner.submit(spec, { text: 'ink' })).id);
    assert.equal(cached.outputs?.doc, firstDoc, 'the second run is a cache hit');
    assert.equal(writes, 1);

    await temp.store.artifacts.deleteByJob(first.id);
    assert.equal(await temp.store.artifacts.find(firstDoc), undefined);
    assert.equal((await temp.store.jobs.get(first.id)).status, 'completed', 'the job record stays');

    const third = await runner.wait((await runner.submit(spec, { text: 'ink' })).id);
    assert.equal(third.status, 'completed', JSON.stringify(third.error));
    const thirdDoc = third.outputs?.doc as string;
    assert.notEqual(thirdDoc, firstDoc);
    assert.equal(writes, 2, 'the step ran again');
    assert.equal((await temp.store.artifacts.read(thirdDoc)).bytes.toString(), '<ink>');
    assert.equal((await temp.store.ledger.verifyChain()).ok, true);
  } finally {
    await runner.close();
  }
});
