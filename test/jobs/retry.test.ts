import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { backoffDelay } from '../../src/jobs/backoff.ts';
import { deferred, makeRunner, openTempStore, recordEvents, type TempStore } from './helpers.ts';

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

/** Throws `errors` in turn, then succeeds; records when each attempt started. */
function flaky(type: string, errors: Error[], extra: Partial<StepDefinition> = {}): { step: StepDefinition; attempts: number[] } {
  const attempts: number[] = [];
  const step: StepDefinition = {
    type,
    title: type,
    version: '1',
    cacheable: false,
    inputs: {},
    outputs: { ok: { type: 'boolean' } },
    async run(ctx) {
      attempts.push(Date.now());
      assert.equal(ctx.attempt, attempts.length);
      const error = errors[attempts.length - 1];
      if (error !== undefined) throw error;
      return { ok: true };
    },
    ...extra,
  };
  return { step, attempts };
}

const spec = (uses: string, retry?: Record<string, number>) => ({
  id: 'retry',
  title: 'Retry',
  steps: [{ id: 'flaky', uses, ...(retry ? { retry } : {}) }],
  outputs: { ok: { $from: 'flaky.ok' } },
});

test('a retryable error twice, then success: completed on attempt 3 with step.retry events and backoff delays', async () => {
  const busy = () => new ShenbiError('ENGINE_BUSY', 'engine is busy');
  const { step, attempts } = flaky('r.busy', [busy(), busy()]);
  // random() = 1: the jitter adds its full half, so delays are exactly initial × factor^(n-1).
  const runner = makeRunner(temp.store, [step], { random: () => 1 });
  const events = recordEvents(runner);
  try {
    const job = await runner.submit(spec('r.busy', { initialDelayMs: 40, factor: 2, maxDelayMs: 1000, maxAttempts: 5 }), {});
    const done = await runner.wait(job.id);
    assert.equal(done.status, 'completed');
    assert.equal(attempts.length, 3);
    const retries = events.filter((e) => e.type === 'step.retry');
    assert.deepEqual(
      retries.map((e) => e.type === 'step.retry' && [e.attempt, e.delayMs, e.code]),
      [
        [2, 40, 'ENGINE_BUSY'],
        [3, 80, 'ENGINE_BUSY'],
      ],
    );
    const [a1 = 0, a2 = 0, a3 = 0] = attempts;
    assert.ok(a2 - a1 >= 39, `first backoff ${a2 - a1} ms`);
    assert.ok(a3 - a2 >= 79, `second backoff ${a3 - a2} ms`);
    assert.deepEqual(
      events.filter((e) => e.type === 'step.started').map((e) => e.type === 'step.started' && e.attempt),
      [1, 2, 3],
    );
    const [stored] = await temp.store.jobs.steps(job.id);
    assert.equal(stored?.attempts, 3);
    assert.equal(stored?.status, 'completed');
  } finally {
    await runner.close();
  }
});

test('a non-retryable error fails at once, after one attempt, with its code', async () => {
  const { step, attempts } = flaky('r.bad', [new ShenbiError('MODEL_NOT_INSTALLED', 'no model'), new Error('never reached')]);
  const plain = flaky('r.plain', [new Error('segfault-ish'), new Error('never reached')]);
  const runner = makeRunner(temp.store, [step, plain.step], { random: () => 0 });
  const events = recordEvents(runner);
  try {
    const done = await runner.wait((await runner.submit(spec('r.bad', { initialDelayMs: 1 }), {})).id);
    assert.equal(done.status, 'failed');
    assert.equal(done.error?.code, 'MODEL_NOT_INSTALLED');
    assert.equal(attempts.length, 1);
    assert.equal(events.filter((e) => e.type === 'step.retry').length, 0);
    // Anything that is not a ShenbiError is ENGINE_FAILED, which is not retried either.
    const other = await runner.wait((await runner.submit(spec('r.plain', { initialDelayMs: 1 }), {})).id);
    assert.equal(other.error?.code, 'ENGINE_FAILED');
    assert.match(other.error?.message ?? '', /segfault-ish/);
    assert.equal(plain.attempts.length, 1);
  } finally {
    await runner.close();
  }
});

test("retries stop at maxAttempts (step definition's policy, overridden by the pipeline node)", async () => {
  const timeout = () => new ShenbiError('ENGINE_TIMEOUT', 'timed out');
  const byDefinition = flaky('r.def', Array.from({ length: 9 }, timeout), { retry: { maxAttempts: 2, initialDelayMs: 1 } });
  const byNode = flaky('r.node', Array.from({ length: 9 }, timeout), { retry: { maxAttempts: 2, initialDelayMs: 1 } });
  const runner = makeRunner(temp.store, [byDefinition.step, byNode.step]);
  try {
    const first = await runner.wait((await runner.submit(spec('r.def'), {})).id);
    assert.equal(first.error?.code, 'ENGINE_TIMEOUT');
    assert.equal(byDefinition.attempts.length, 2);
    const second = await runner.wait((await runner.submit(spec('r.node', { maxAttempts: 4 }), {})).id);
    assert.equal(second.error?.code, 'ENGINE_TIMEOUT');
    assert.equal(byNode.attempts.length, 4);
    const [stored] = await temp.store.jobs.steps(second.id);
    assert.equal(stored?.attempts, 4);
  } finally {
    await runner.close();
  }
});

test('cancelling during a backoff wait ends the job at once', async () => {
  const failedOnce = deferred();
  const { step, attempts } = flaky('r.slowretry', [new ShenbiError('ENGINE_BUSY', 'busy'), new ShenbiError('ENGINE_BUSY', 'busy')]);
  const runner = makeRunner(temp.store, [step]);
  runner.subscribe('*', (e) => e.type === 'step.retry' && failedOnce.resolve());
  try {
    const job = await runner.submit(spec('r.slowretry', { initialDelayMs: 10_000, maxDelayMs: 10_000 }), {});
    await failedOnce.promise;
    const t0 = Date.now();
    await runner.cancel(job.id);
    assert.equal((await runner.wait(job.id)).status, 'cancelled');
    assert.ok(Date.now() - t0 < 500);
    assert.equal(attempts.length, 1);
  } finally {
    await runner.close();
  }
});

test('backoff grows exponentially, is capped, and jitters within [half, full]', () => {
  const policy = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, factor: 3 };
  assert.equal(backoffDelay(policy, 1, () => 1), 100);
  assert.equal(backoffDelay(policy, 2, () => 1), 300);
  assert.equal(backoffDelay(policy, 3, () => 1), 900);
  assert.equal(backoffDelay(policy, 4, () => 1), 1000);
  assert.equal(backoffDelay(policy, 2, () => 0), 150);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(policy, 2);
    assert.ok(d >= 150 && d <= 300);
  }
});
