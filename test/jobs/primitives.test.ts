import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobEvent } from '../../src/core/progress.ts';
import { sleep } from '../../src/jobs/backoff.ts';
import { EngineLimits } from '../../src/jobs/engine-limits.ts';
import { JobEvents } from '../../src/jobs/job-events.ts';
import { InProcessQueue } from '../../src/jobs/queue.ts';
import { Semaphore } from '../../src/core/semaphore.ts';

test('semaphore: at most `limit` holders, FIFO hand-over, abortable waits, idempotent release', async () => {
  const semaphore = new Semaphore(2);
  const a = semaphore.tryAcquire();
  const b = await semaphore.acquire();
  assert.ok(a && b);
  assert.equal(semaphore.tryAcquire(), undefined);
  const order: string[] = [];
  const c = semaphore.acquire().then((release) => (order.push('c'), release));
  const controller = new AbortController();
  const aborted = semaphore.acquire(controller.signal);
  const d = semaphore.acquire().then((release) => (order.push('d'), release));
  controller.abort(new Error('stop'));
  await assert.rejects(aborted, /stop/);
  assert.equal(semaphore.waiting, 2);
  a();
  a(); // a second release must not free a second permit
  const releaseC = await c;
  assert.deepEqual(order, ['c']);
  assert.equal(semaphore.available, 0);
  b();
  const releaseD = await d;
  assert.deepEqual(order, ['c', 'd']);
  releaseC();
  releaseD();
  assert.equal(semaphore.available, 2);
});

test('engine limits: configured per engine, others get the default', () => {
  const limits = new EngineLimits({ gpu: 1 }, 4);
  assert.equal(limits.semaphore('gpu').limit, 1);
  assert.equal(limits.semaphore().limit, 4);
  assert.equal(limits.semaphore('cpu'), limits.semaphore('cpu'));
  assert.throws(() => new EngineLimits({ gpu: 0 }), RangeError);
});

test('in-process queue: FIFO, bounded concurrency, removable before delivery', async () => {
  const queue = new InProcessQueue(2);
  const started: string[] = [];
  let active = 0;
  let peak = 0;
  const finished: string[] = [];
  const allDone = new Promise<void>((resolve) => {
    queue.process(async (id) => {
      started.push(id);
      active += 1;
      peak = Math.max(peak, active);
      await sleep(5);
      active -= 1;
      finished.push(id);
      if (finished.length === 4) resolve();
    });
  });
  for (const id of ['a', 'b', 'c', 'd', 'e']) await queue.enqueue(id, { lane: 'text' });
  assert.equal(await queue.remove('d'), true);
  assert.equal(await queue.remove('a'), false, 'already delivered');
  assert.equal(queue.size(), 2);
  await allDone;
  assert.deepEqual(started, ['a', 'b', 'c', 'e']);
  assert.equal(peak, 2);
  await queue.close();
});

test('job events: per job and global listeners, unsubscribe, a throwing listener is isolated', () => {
  const events = new JobEvents();
  const seen: string[] = [];
  const event = (jobId: string): JobEvent => ({ type: 'job.cancelled', jobId, at: 0 });
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on('warning', onWarning);
  try {
    const off = events.subscribe('job_1', (e) => seen.push(`one:${e.jobId}`));
    events.subscribe('*', (e) => seen.push(`all:${e.jobId}`));
    events.subscribe('job_2', () => {
      throw new Error('listener bug');
    });
    assert.equal(events.wants('job_3'), true);
    events.emit(event('job_1'));
    events.emit(event('job_2'));
    off();
    events.emit(event('job_1'));
    assert.deepEqual(seen, ['one:job_1', 'all:job_1', 'all:job_2', 'all:job_1']);
    const quiet = new JobEvents();
    assert.equal(quiet.wants('job_1'), false);
  } finally {
    process.off('warning', onWarning);
  }
});
