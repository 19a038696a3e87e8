import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { ShenbiError } from '../../src/core/errors.ts';
import { compose, toMidi } from '../../src/engines/composer/index.ts';
import { renderMidi, renderMidiInThread } from '../../src/engines/soundfont/render-midi.ts';
import { decodeAudio } from '../../src/media/audio/encode.ts';
import { normalizeLoudness } from '../../src/media/audio/loudness.ts';
import { normalizeLoudnessOffThread } from '../../src/media/audio/off-thread.ts';
import { movable, offThreadTask, runOffThread } from '../../src/workers/off-thread.ts';
import { closeWorkerPool, retainWorkerPool } from '../../src/workers/pool.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import * as tasks from './fixtures/pool-tasks.ts';

const TASKS = new URL('./fixtures/pool-tasks.ts', import.meta.url);
const task = <K extends keyof typeof tasks>(name: K) => offThreadTask(TASKS, tasks, name);
after(() => closeWorkerPool());

const isCode = (code: string) => (error: unknown) => error instanceof ShenbiError && error.code === code;

test('a task runs on another thread and gives exactly what the in-thread function gives', async () => {
  const jfk = await decodeAudio(readFileSync(join(TESTDATA, 'jfk.wav')));
  const here = normalizeLoudness(jfk, { targetLufs: -16, peakDb: -1 });
  const there = await normalizeLoudnessOffThread(jfk, { targetLufs: -16, peakDb: -1 });
  assert.equal(there.sampleRate, here.sampleRate);
  assert.deepEqual(Buffer.from(there.samples.buffer), Buffer.from(here.samples.buffer));
  // A SoundFont rendering too (the worker keeps its own parsed SoundFont).
  const midi = toMidi(compose({ lyrics: '啊啊啊', seed: 4 }));
  const local = await renderMidiInThread(midi, { tailSeconds: 0.5 });
  const pooled = await renderMidi(midi, { tailSeconds: 0.5 });
  assert.deepEqual(Buffer.from(pooled.left.buffer), Buffer.from(local.left.buffer));
  assert.deepEqual(Buffer.from(pooled.right.buffer), Buffer.from(local.right.buffer));
  const where = await runOffThread(task('whereAmI'), []);
  assert.notEqual(where, threadId);
});

test('transfer moves argument buffers (the caller\'s copy is gone), results come back whole, partial views are copied', async () => {
  const input = Float32Array.from({ length: 48_000 }, (_, i) => Math.sin(i / 7));
  const kept = await runOffThread(task('scaled'), [input, 2]);
  assert.equal(input.length, 48_000, 'without transfer the argument is copied');
  assert.equal(kept.samples[1000], input[1000]! * 2);
  const moved = await runOffThread(task('scaled'), [input, 3], { transfer: movable(input) });
  assert.equal(input.byteLength, 0, 'the transferred buffer is detached here');
  assert.equal(moved.samples.length, 48_000);
  assert.ok(Math.abs(moved.samples[1000]! - 3 * Math.sin(1000 / 7)) < 1e-6);
  // A subarray shares its buffer with the rest of the array: never transferred.
  const whole = new Float32Array(100);
  assert.deepEqual(movable(whole.subarray(10, 20)), []);
  assert.equal(movable(whole)[0], whole.buffer);
  assert.equal(await runOffThread(task('lengthOf'), [whole.subarray(10, 20)]), 10);
  assert.equal(whole.length, 100);
});

test('a task\'s own error keeps its code, hint and details; a RangeError stays a RangeError', async () => {
  await assert.rejects(runOffThread(task('refuse'), ['not audio']), (error: unknown) => {
    assert.ok(error instanceof ShenbiError);
    assert.equal(error.code, 'MEDIA_INVALID');
    assert.equal(error.message, 'not audio');
    assert.equal(error.hint, 'give another file');
    assert.deepEqual(error.details, { why: 'test' });
    return true;
  });
  await assert.rejects(runOffThread(task('outOfRange'), []), (error: unknown) => error instanceof RangeError && error.message === 'bad sample rate');
});

test('aborting stops a running task at once (JOB_CANCELLED, or the signal\'s own ShenbiError); the pool goes on', async () => {
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(runOffThread(task('spin'), [60_000], { signal: controller.signal }), isCode('JOB_CANCELLED'));
  assert.ok(performance.now() - started < 20_000, 'the busy thread was stopped, not waited for');
  const timeout = new AbortController();
  setTimeout(() => timeout.abort(new ShenbiError('ENGINE_TIMEOUT', 'the step ran out of time')), 200);
  await assert.rejects(runOffThread(task('spin'), [60_000], { signal: timeout.signal }), isCode('ENGINE_TIMEOUT'));
  // Already aborted: refused before it starts.
  await assert.rejects(runOffThread(task('spin'), [60_000], { signal: AbortSignal.abort() }), isCode('JOB_CANCELLED'));
  assert.equal(typeof (await runOffThread(task('whereAmI'), [])), 'number');
});

test('a crashed worker fails its task with ENGINE_FAILED and a new worker takes the next one', async () => {
  await closeWorkerPool();
  // One task at a time: the fresh pool runs them all on its one idle thread.
  const first = await runOffThread(task('whereAmI'), []);
  await assert.rejects(runOffThread(task('crash'), []), (error: unknown) => isCode('ENGINE_FAILED')(error) && /running crash failed: .*exited with code: 7/.test((error as Error).message));
  const replacement = await runOffThread(task('whereAmI'), []);
  assert.ok(replacement > 0 && replacement !== first, `thread ${first} died; the next task ran on ${replacement}`);
  // An error thrown after a task answered does not take the process down either: the pool
  // reports it (a warning) and the next task runs. Waiting for that report, not a fixed 100 ms:
  // on a busy machine the late error could otherwise land while the next task ran on that thread.
  const reported = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the late failure was not reported within 15 s')), 15_000);
    const onWarning = (warning: Error) => {
      if (!/late failure/.test(warning.message)) return;
      clearTimeout(timer);
      process.off('warning', onWarning);
      resolve(warning.message);
    };
    process.on('warning', onWarning);
  });
  assert.equal(await runOffThread(task('throwLater'), []), 'answered');
  assert.match(await reported, /a CPU worker thread failed: late failure/);
  assert.equal(typeof (await runOffThread(task('whereAmI'), [])), 'number');
});

test('the last holder\'s release closes the pool (running tasks fail with ENGINE_FAILED); the next task starts a new one', async () => {
  const release = retainWorkerPool();
  const running = runOffThread(task('spin'), [60_000]).then(
    () => 'finished',
    (error: unknown) => error,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  await release();
  assert.ok(isCode('ENGINE_FAILED')(await running));
  assert.equal(typeof (await runOffThread(task('whereAmI'), [])), 'number');
});

test('an idle pool does not keep the process alive', async () => {
  const script = fileURLToPath(new URL('./fixtures/idle-exit.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = (await new Promise((resolve) => child.on('exit', (...args) => resolve(args)))) as [number | null, string | null];
  clearTimeout(timer);
  assert.equal(signal, null, `the process had to be killed; it printed: ${out}`);
  assert.equal(code, 0);
  assert.match(out, /ran on thread [1-9]\d*/);
});
