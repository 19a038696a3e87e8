import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StepDefinition } from '../../src/core/step.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { SseReader } from '../helpers/sse-reader.ts';
import { deferred } from '../jobs/helpers.ts';
import { startTestServer, type TestServer } from './helpers.ts';

// A second Shenbi on the same home and database runs the jobs, as a CLI run or another server
// would: the server below has never heard of the step type and must follow them through the store.
let t: TestServer;
let other: Shenbi;
const gates = [deferred(), deferred()];
const gatedStep: StepDefinition = {
  type: 'test.gated',
  title: 'Gated',
  version: '1',
  cacheable: false,
  inputs: { n: { type: 'number' } },
  outputs: { n: { type: 'number' } },
  async run(_ctx, inputs) {
    await gates[inputs.n as number]!.promise;
    return { n: (inputs.n as number) + 1 };
  },
};
const spec = {
  id: 'elsewhere',
  title: 'Run elsewhere',
  steps: [
    { id: 'a', uses: 'test.gated', with: { n: 0 } },
    { id: 'b', uses: 'test.gated', with: { n: { $from: 'a.n' } } },
  ],
  outputs: { n: { $from: 'b.n' } },
};

before(async () => {
  t = await startTestServer({ withModel: false });
  other = await Shenbi.open({ overrides: { home: t.home }, steps: [gatedStep] });
});
after(async () => {
  for (const gate of gates) gate.resolve();
  await other.close();
  await t.close();
});

const stepDone = (stepId: string) => (e: { event: string; data: string }) => e.event === 'step.completed' && (JSON.parse(e.data) as { stepId: string }).stepId === stepId;

test('three concurrent SSE subscribers to a job another process runs get its steps and its result; later ones too', async () => {
  const job = await other.runner.submit(spec, {});
  const url = `${t.url}/api/jobs/${job.id}/events`;
  const watchers = [new SseReader(url), new SseReader(url), new SseReader(url)];
  try {
    for (const w of watchers) await w.waitFor((e) => e.event === 'job.started', 15_000, 'job.started');
    gates[0]!.resolve();
    // Followed while it runs: step a's completion arrives before step b may even finish.
    for (const w of watchers) await w.waitFor(stepDone('a'), 15_000, 'step a completed');
    gates[1]!.resolve();
    for (const w of watchers) {
      const events = await w.untilEnd(15_000, 'a watcher');
      const names = events.map((e) => e.event);
      assert.deepEqual(names.slice(-2), ['job.completed', 'result'], names.join(', '));
      assert.ok(events.some(stepDone('b')), names.join(', '));
      const result = JSON.parse(events.at(-1)!.data) as { status: string; outputs: unknown };
      assert.equal(result.status, 'completed');
      assert.deepEqual(result.outputs, { n: 2 });
      // Every subscriber saw the same sequence.
      assert.deepEqual(events.map((e) => e.id), watchers[0]!.events.map((e) => e.id));
    }
    // Subscribers that come after the end, one after the other, and one that has seen it all (Last-Event-ID).
    for (let i = 0; i < 2; i++) {
      const late = await new SseReader(url).untilEnd(10_000, `late subscriber ${i + 1}`);
      assert.equal(late.at(-1)?.event, 'result');
    }
    const lastSeq = watchers[0]!.events.filter((e) => e.id !== undefined).at(-1)!.id!;
    const caughtUp = await new SseReader(url, { 'last-event-id': lastSeq }).untilEnd(10_000, 'a subscriber that saw the end');
    assert.deepEqual(caughtUp.map((e) => e.event), ['result']);
  } finally {
    for (const w of watchers) w.close();
  }
});

test('a job another process ran to a failure: every subscriber gets the error event', async () => {
  const failing: typeof spec = { ...spec, id: 'elsewhere-fails', steps: [{ id: 'a', uses: 'test.gated', with: { n: 7 } }], outputs: { n: { $from: 'a.n' } } };
  const job = await other.runner.submit(failing, {});
  // No gate 7: the step throws (undefined has no promise), so the job fails in the other process.
  const ended = await other.runner.wait(job.id);
  assert.equal(ended.status, 'failed');
  const url = `${t.url}/api/jobs/${job.id}/events`;
  const streams = await Promise.all([0, 1, 2].map((i) => new SseReader(url).untilEnd(10_000, `subscriber ${i + 1}`)));
  for (const events of streams) {
    assert.equal(events.at(-1)?.event, 'error');
    assert.equal((JSON.parse(events.at(-1)!.data) as { error: { code: string } }).error.code, ended.error?.code);
  }
});
