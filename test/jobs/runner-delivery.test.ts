import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobHandler, JobQueue, LaneDepth } from '../../src/jobs/queue.ts';
import type { OpenedStore } from '../../src/store/index.ts';
import type { JobRepository } from '../../src/store/types.ts';
import { addStep, makeRunner, openTempStore } from './helpers.ts';

/** A shared queue as a producer and a consumer see it, in memory: ids only, delivered by hand. */
class HandQueue implements JobQueue {
  readonly deliversLocally = false;
  readonly ids: string[] = [];
  #handler: JobHandler | undefined;
  async enqueue(jobId: string): Promise<void> {
    this.ids.push(jobId);
  }
  process(handler: JobHandler): void {
    this.#handler = handler;
  }
  deliver(jobId: string): Promise<void> {
    if (this.#handler === undefined) throw new Error('no consumer');
    return this.#handler(jobId);
  }
  async remove(): Promise<boolean> {
    return false;
  }
  size(): number {
    return this.ids.length;
  }
  async depth(): Promise<LaneDepth[]> {
    return [];
  }
  async close(): Promise<void> {}
}

/** The store with its job repository's calls counted by method. */
function counting(store: OpenedStore): { store: OpenedStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const jobs = new Proxy(store.jobs, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as JobRepository;
  const wrapped = new Proxy(store, { get: (target, property) => (property === 'jobs' ? jobs : (Reflect.get(target, property, target) as unknown)) });
  return { store: wrapped, calls };
}

test('a delivered job that never started is claimed and read in one statement; one that ran before is read, then claimed, and resumes', async (t) => {
  const temp = await openTempStore();
  t.after(() => temp.cleanup());
  const calls = { count: 0 };
  const steps = [addStep('math.add', calls)];
  const spec = { id: 'add-two', title: 'Add two', inputs: { x: { type: 'number' as const } }, steps: [{ id: 'a', uses: 'math.add', with: { value: { $from: 'inputs.x' } } }, { id: 'b', uses: 'math.add', with: { value: { $from: 'a.value' } } }], outputs: { value: { $from: 'b.value' } } };
  const shared = new HandQueue();
  const producer = makeRunner(temp.store, steps, { queue: shared, owner: 'producer' });
  const consumerStore = counting(temp.store);
  const consumer = makeRunner(consumerStore.store, steps, { queue: shared, owner: 'consumer' });
  t.after(async () => {
    await consumer.close();
    await producer.close();
  });

  const fresh = await producer.submit(spec, { x: 1 });
  assert.equal(fresh.owner, null, 'a shared queue leaves the job unleased');
  await shared.deliver(fresh.id);
  const done = await temp.store.jobs.get(fresh.id);
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.outputs, { value: 3 });
  assert.equal(done.owner, 'consumer');
  assert.equal(consumerStore.calls.get('claimFresh'), 1);
  assert.equal(consumerStore.calls.get('find') ?? 0, 0, 'not read before the claim');
  assert.equal(consumerStore.calls.get('claim') ?? 0, 0);

  // Ran before (its runner closed and handed it back after step a): read, claimed, resumed from step b.
  const handedBack = await producer.submit(spec, { x: 10 });
  assert.equal(await temp.store.jobs.claim(handedBack.id, 'closed-runner', Date.now(), 0), true);
  await temp.store.jobs.updateStep(handedBack.id, 'a', { status: 'completed', attempts: 1, outputs: { value: 11 } });
  await temp.store.jobs.update(handedBack.id, { status: 'queued', owner: null, heartbeatAt: null });
  consumerStore.calls.clear();
  const before = calls.count;
  await shared.deliver(handedBack.id);
  const resumed = await temp.store.jobs.get(handedBack.id);
  assert.equal(resumed.status, 'completed');
  assert.deepEqual(resumed.outputs, { value: 12 });
  assert.equal(calls.count - before, 1, 'step a kept its stored output; only b ran');
  assert.deepEqual([consumerStore.calls.get('claimFresh'), consumerStore.calls.get('find'), consumerStore.calls.get('claim')], [1, 1, 1]);

  // Delivered again after it ended (a duplicate delivery): nothing runs.
  await shared.deliver(fresh.id);
  assert.equal((await temp.store.jobs.get(fresh.id)).status, 'completed');
  assert.equal(calls.count - before, 1);
});
