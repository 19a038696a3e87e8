import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { newId } from '../../src/core/ids.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { crashPipeline, crashSteps, STEP2_WROTE } from './fixtures/crash-steps.ts';
import { addStep, deferred, makeRunner, openTempStore, type TempStore } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

let temp: TempStore;
before(async () => {
  temp = await openTempStore();
});
after(async () => {
  await temp.cleanup();
});

/**
 * Runs the child until step 2 says it wrote its first big artifact (so the next write is under
 * way), then SIGKILLs it. No sleeps: it waits for the child's own words, however slow it starts.
 */
async function runChildAndKill(database: string, blobsDir: string, markerDir: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, database, blobsDir, markerDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const running = deferred();
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes(`${STEP2_WROTE} 0\n`)) running.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  void exited.then(() => running.reject(new Error(`child exited early:\n${stdout}\n${stderr}`)));
  // Only a guard against a hung child: a loaded 2-core machine may take a minute to start it.
  const timer = setTimeout(() => running.reject(new Error(`child never wrote in step 2:\n${stdout}\n${stderr}`)), 240_000);
  try {
    await running.promise;
  } finally {
    clearTimeout(timer);
  }
  // Step 2 writes 24 MB artifacts back to back: kill it once the next one's temp file exists.
  const tempDir = join(blobsDir, 'tmp');
  const deadline = Date.now() + 60_000;
  while ((await readdir(tempDir).catch(() => [])).length === 0 && child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const jobId = /JOB (job_\w+)/.exec(stdout)?.[1];
  assert.ok(jobId, stdout);
  return jobId;
}

test('after kill -9 mid-step, recover() resumes the job: step 1 not re-run, no temp files, every artifact intact', async (t) => {
  const markerDir = join(temp.dir, 'markers');
  await mkdir(markerDir);
  const jobId = await runChildAndKill(temp.database, temp.blobsDir, markerDir);
  const tempDir = join(temp.blobsDir, 'tmp');
  const leftBehind = await readdir(tempDir);
  t.diagnostic(`the kill left ${leftBehind.length} temp blob file(s) behind`);

  const before = await temp.store.jobs.get(jobId);
  assert.equal(before.status, 'running', 'the dead child still holds the job');
  const stepsBefore = Object.fromEntries((await temp.store.jobs.steps(jobId)).map((s) => [s.stepId, s.status]));
  assert.equal(stepsBefore.first, 'completed');
  assert.notEqual(stepsBefore.big, 'completed');

  const runner = makeRunner(temp.store, crashSteps('parent', markerDir), { staleAfterMs: 100 });
  try {
    // The dead child's last heartbeat goes stale staleAfterMs after it was written: wait for
    // exactly that, measured from the heartbeat the store holds, not for a guessed delay.
    const heartbeatAt = before.heartbeatAt ?? 0;
    while (Date.now() <= heartbeatAt + 100) await new Promise((resolve) => setTimeout(resolve, heartbeatAt + 101 - Date.now()));
    const report = await runner.recover();
    assert.deepEqual(report.resumed, [jobId]);
    assert.deepEqual(report.failed, []);
    // The killed writer's temp files are swept (this store was opened before the child ran).
    assert.equal(report.tempFilesRemoved, leftBehind.length);
    const done = await runner.wait(jobId);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.recoveries, 1);
    const firstRuns = (await readFile(join(markerDir, 'first.log'), 'utf8')).trim().split('\n');
    assert.equal(firstRuns.length, 1, 'step 1 ran once, in the child');
    const { bytes } = await temp.store.artifacts.read(done.outputs?.doc as string);
    assert.equal(bytes.toString(), 'hello from the child (big, recovered)');
    assert.equal(done.outputs?.size, bytes.length);
    const steps = await temp.store.jobs.steps(jobId);
    assert.deepEqual(
      steps.map((s) => s.status),
      ['completed', 'completed', 'completed'],
    );
    assert.deepEqual(await readdir(tempDir), [], `temp files left: ${leftBehind.join(', ')}`);
    // No partial artifact: every row's blob exists and hashes to its recorded sha256.
    const artifacts = await temp.store.artifacts.list({ jobId });
    // What the killed child's attempt of step 2 stored (its 24 MB documents) was discarded by
    // the attempt that resumed it: the job keeps step 1's output and step 2's final one.
    assert.deepEqual(artifacts.map((a) => `${a.stepId}/${a.kind}`).sort(), ['big/text', 'first/text']);
    for (const artifact of artifacts) {
      const file = await readFile((await temp.store.blobs.localPath(artifact.blobRef)));
      assert.equal(file.length, artifact.size);
      assert.equal(createHash('sha256').update(file).digest('hex'), artifact.sha256);
    }
  } finally {
    await runner.close();
  }
});

/** A job row as a runner that died mid-run leaves it. */
async function abandonedJob(store: OpenedStore, spec: unknown, recoveries: number): Promise<string> {
  const id = newId('job');
  await store.jobs.create({ id, spec: spec as never, input: {} });
  assert.ok(await store.jobs.claim(id, 'dead-runner', 1_000, 0));
  await store.jobs.update(id, { recoveries });
  return id;
}

test('a job interrupted more than maxRecoveries times is failed with JOB_INTERRUPTED and a reason; others resume', async () => {
  const calls = { count: 0 };
  const steps = [addStep('m.add', calls, { cacheable: false })];
  const spec = { id: 'again', title: 'Again', description: '', inputs: {}, steps: [{ id: 'a', uses: 'm.add', with: { value: 1 } }], outputs: { v: { $from: 'a.value' } } };
  const worn = await abandonedJob(temp.store, spec, 2);
  const fresh = await abandonedJob(temp.store, spec, 1);
  const queued = newId('job');
  await temp.store.jobs.create({ id: queued, spec: spec as never, input: {} });
  const unknownStep = await abandonedJob(temp.store, { ...spec, steps: [{ id: 'a', uses: 'm.gone', with: {} }] }, 0);

  const runner = makeRunner(temp.store, steps, { maxRecoveries: 2, staleAfterMs: 1_000 });
  try {
    const report = await runner.recover();
    assert.deepEqual([...report.resumed].sort(), [fresh, queued].sort());
    const failed = Object.fromEntries(report.failed.map((f) => [f.id, f]));
    assert.equal(failed[worn]?.code, 'JOB_INTERRUPTED');
    assert.match(failed[worn]?.reason ?? '', /interrupted 3 times.*given up after 2 recoveries/);
    assert.equal(failed[unknownStep]?.code, 'PIPELINE_INVALID');

    const wornRecord = await temp.store.jobs.get(worn);
    assert.equal(wornRecord.status, 'failed');
    assert.equal(wornRecord.error?.code, 'JOB_INTERRUPTED');
    assert.match(wornRecord.error?.message ?? '', /dead-runner/);
    assert.equal((await temp.store.jobs.get(unknownStep)).status, 'failed');

    const freshDone = await runner.wait(fresh);
    assert.equal(freshDone.status, 'completed');
    assert.equal(freshDone.recoveries, 2);
    const queuedDone = await runner.wait(queued);
    assert.equal(queuedDone.status, 'completed');
    assert.equal(queuedDone.recoveries, 0);
    assert.equal(calls.count, 2);
    // Nothing is left running or queued.
    assert.deepEqual(await temp.store.jobs.listRecoverable(Date.now()), []);
  } finally {
    await runner.close();
  }
});

test('close() hands a running job back to the queue; the next runner resumes it without redoing finished steps', async () => {
  const calls = { count: 0 };
  const gateStarted = deferred();
  const hang: StepDefinition = {
    type: 'h.hang',
    title: 'Hang',
    version: '1',
    cacheable: false,
    inputs: { value: { type: 'number' } },
    outputs: { value: { type: 'number' } },
    run: (ctx) =>
      new Promise((_resolve, reject) => {
        gateStarted.resolve();
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      }),
  };
  const spec = {
    id: 'handback',
    title: 'Hand back',
    steps: [
      { id: 'a', uses: 'h.add', with: { value: 1 } },
      { id: 'b', uses: 'h.hang', with: { value: { $from: 'a.value' } } },
    ],
    outputs: { v: { $from: 'b.value' } },
  };
  const first = makeRunner(temp.store, [addStep('h.add', calls, { cacheable: false }), hang]);
  const job = await first.submit(spec, {});
  const waiting = assert.rejects(first.wait(job.id), { code: 'JOB_INTERRUPTED' });
  await gateStarted.promise;
  await first.close();
  await waiting;
  const parked = await temp.store.jobs.get(job.id);
  assert.equal(parked.status, 'queued');
  assert.equal(parked.owner, null);

  const second = makeRunner(temp.store, [addStep('h.add', calls, { cacheable: false }), addStep('h.hang', { count: 0 }, { cacheable: false })]);
  try {
    const report = await second.recover();
    assert.ok(report.resumed.includes(job.id));
    const done = await second.wait(job.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.outputs, { v: 3 });
    assert.equal(calls.count, 1, 'step a ran once');
  } finally {
    await second.close();
  }
});
