import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { pipelineSpecSchema } from '../../src/core/pipeline.ts';
import { JobInfoCache } from '../../src/jobs/job-info.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { openTempStore } from './helpers.ts';

const spec = pipelineSpecSchema.parse({
  id: 'info-pipeline',
  title: 'Info',
  steps: [
    { id: 'one', uses: 'text.blessing-verse', with: {} },
    { id: 'two', uses: 'image.card', with: {} },
  ],
  outputs: {},
});

test('JobInfoCache: a held job is described without a store read; others are read once and remembered', async (t) => {
  const temp = await openTempStore();
  t.after(() => temp.cleanup());
  const stored = await temp.store.jobs.create({ id: newId('job'), spec, input: {} });
  let reads = 0;
  const counting = { find: async (id: string) => ((reads += 1), temp.store.jobs.find(id)) };
  const heldId = newId('job');
  const held: JobRecord = { ...stored, id: heldId, pipelineId: 'held-pipeline', spec: { ...stored.spec, id: 'held-pipeline' } };
  const cache = new JobInfoCache(counting, (id) => (id === heldId ? held : undefined));

  const fromHeld = await cache.get(heldId);
  assert.equal(fromHeld?.pipeline, 'held-pipeline');
  assert.equal(reads, 0, 'the held record was used');

  const fromStore = await cache.get(stored.id);
  assert.equal(fromStore?.pipeline, 'info-pipeline');
  assert.deepEqual([...(fromStore?.stepTypes ?? [])], [['one', 'text.blessing-verse'], ['two', 'image.card']]);
  await cache.get(stored.id);
  assert.equal(reads, 1, 'read once, then remembered');

  assert.equal(await cache.get(newId('job')), undefined, 'an unknown job is undefined');
  const failing = new JobInfoCache({ find: async () => Promise.reject(new Error('database away')) });
  assert.equal(await failing.get(stored.id), undefined, 'a failed read leaves the job unlabelled');
});
