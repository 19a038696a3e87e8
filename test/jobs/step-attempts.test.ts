import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { makeRunner, openTempStore, type TempStore } from './helpers.ts';

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

const spec = (type: string) => ({ id: `p-${type.replace('.', '-')}`, title: 'Attempts', steps: [{ id: 'write', uses: type }], outputs: { doc: { $from: 'write.doc' } } });

/** Writes an artifact on every attempt; `afterWrite` decides what the attempt then does. */
function writingStep(type: string, afterWrite: (attempt: number, signal: AbortSignal) => Promise<void>): StepDefinition {
  let attempts = 0;
  return {
    type,
    title: 'Write',
    version: '1',
    cacheable: false,
    inputs: {},
    outputs: { doc: { type: 'artifact' } },
    async run(ctx) {
      attempts += 1;
      const artifact = await ctx.writeArtifact({ kind: 'text', mimeType: 'text/plain', bytes: Buffer.from(`attempt ${attempts}`), engine: { id: 'w', version: '1' } });
      await afterWrite(attempts, ctx.signal);
      return { doc: artifact.id };
    },
  };
}

test('a retried attempt leaves only the successful attempt’s artifact', async () => {
  const step = writingStep('attempts.retry', async (attempt) => {
    if (attempt === 1) throw new ShenbiError('ENGINE_FAILED', 'flaky', { retryable: true });
  });
  const runner = makeRunner(temp.store, [step], { random: () => 0 });
  try {
    const job = await runner.submit({ ...spec('attempts.retry'), steps: [{ id: 'write', uses: 'attempts.retry', retry: { maxAttempts: 2, initialDelayMs: 1 } }] });
    const done = await runner.wait(job.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const artifacts = await temp.store.artifacts.list({ jobId: job.id });
    assert.deepEqual(artifacts.map((a) => a.id), [done.outputs?.doc]);
    assert.equal((await temp.store.artifacts.read(done.outputs?.doc as string)).bytes.toString(), 'attempt 2');
  } finally {
    await runner.close();
  }
});

test('a job taken over from a runner that stopped mid-step ends with one artifact, not the dead attempt’s too', async () => {
  const step = writingStep('attempts.interrupted', async (attempt, signal) => {
    // The first runner "dies" here: it never finishes nor heartbeats again.
    if (attempt === 1) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  });
  const dying = makeRunner(temp.store, [step], { heartbeatMs: 600_000, owner: 'dying' });
  const taking = makeRunner(temp.store, [step], { staleAfterMs: 50, owner: 'taking' });
  try {
    const job = await dying.submit(spec('attempts.interrupted'));
    // Wait until the dying runner's attempt has stored its artifact.
    while ((await temp.store.artifacts.list({ jobId: job.id })).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 60));
    const report = await taking.recover();
    assert.deepEqual(report.resumed, [job.id]);
    const done = await taking.wait(job.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const artifacts = await temp.store.artifacts.list({ jobId: job.id });
    assert.deepEqual(artifacts.map((a) => a.id), [done.outputs?.doc], 'only the resumed attempt’s artifact remains');
    assert.equal((await temp.store.artifacts.read(done.outputs?.doc as string)).bytes.toString(), 'attempt 2');
  } finally {
    await taking.close();
    await dying.close();
  }
});
