import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { sampleCode } from '../../src/engines/code-sampler/index.ts';
import { runInSandbox, SandboxPool, type SandboxResult } from '../../src/engines/quickjs-sandbox/index.ts';
import { parseTaskInput } from '../../src/tasks/index.ts';

const MIB = 1024 * 1024;

function errorOf(result: SandboxResult): { code: string; message: string } {
  assert.equal(result.ok, false, JSON.stringify(result));
  return result.ok ? { code: '', message: '' } : result.error;
}

/** Largest gap between ticks of a 20 ms interval while `work` runs: how long the event loop was blocked. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 20);
  try {
    const value = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { value, stallMs };
  } finally {
    clearInterval(interval);
  }
}

test('an infinite loop runs off the event loop: timers and an HTTP server stay responsive throughout', async (t) => {
  const server: Server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const latencies: number[] = [];
  let running = true;
  const poll = (async () => {
    while (running) {
      const started = performance.now();
      assert.equal(await (await fetch(url)).text(), 'ok');
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    const { value, stallMs } = await longestStall(() => runInSandbox({ code: 'function f() { for (;;) {} }', entry: 'f', timeoutMs: 3000 }));
    running = false;
    await poll;
    assert.equal(errorOf(value).code, 'SANDBOX_TIMEOUT');
    t.diagnostic(`longest stall ${Math.round(stallMs)} ms; ${latencies.length} requests, slowest ${Math.round(Math.max(...latencies))} ms`);
    // Generous (the machine is shared); in the thread's absence the loop stalled the full 3 s.
    assert.ok(stallMs < 500, `the event loop stalled ${Math.round(stallMs)} ms`);
    assert.ok(latencies.length >= 10, `only ${latencies.length} requests answered`);
    assert.ok(Math.max(...latencies) < 500, `slowest request ${Math.round(Math.max(...latencies))} ms`);
  } finally {
    running = false;
    server.close();
  }
});

test('1 MiB strings in a loop hit the memory bound, and the host does not keep the memory', { timeout: 120_000 }, async (t) => {
  const bomb = 'function f() { const kept = []; for (;;) kept.push("x".repeat(1 << 20)); }';
  // Warm: the pool's thread and its 16 MiB base instance belong to the baseline.
  await runInSandbox({ code: 'function f() { return 1; }', entry: 'f' });
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const result = await runInSandbox({ code: bomb, entry: 'f', timeoutMs: 5000, memoryBytes: 32 * MIB });
    assert.ok(['SANDBOX_MEMORY', 'SANDBOX_TIMEOUT'].includes(errorOf(result).code), JSON.stringify(result));
    assert.ok(performance.now() - started < 30_000, 'bounded by the deadline');
  }
  const grownMb = (process.memoryUsage().rss - before) / MIB;
  t.diagnostic(`RSS after three runs: ${Math.round(grownMb)} MiB above the warm baseline`);
  // Before the fix: QuickJS's limit counted 8 bytes per allocation, the singleton instance grew to 2 GiB and kept it.
  assert.ok(grownMb < 200, `RSS grew ${Math.round(grownMb)} MiB`);
  const after = await runInSandbox({ code: 'function f(s) { return s + "!"; }', entry: 'f', args: ['ok'] });
  assert.deepEqual(after.ok && after.value, 'ok!');
});

test('what a guest sends back is bounded: a huge thrown string or result does not reach the host whole', { timeout: 120_000 }, async () => {
  const thrown = errorOf(await runInSandbox({ code: 'function f() { throw "s".repeat(3e6); }', entry: 'f', timeoutMs: 5000 }));
  assert.equal(thrown.code, 'SANDBOX_ERROR');
  assert.ok(thrown.message.length < 2100, `a ${thrown.message.length}-character message came back`);
  const returned = errorOf(await runInSandbox({ code: 'function f() { return "r".repeat(3e6); }', entry: 'f', timeoutMs: 5000 }));
  assert.match(returned.message, /at most 1048576/);
});

test('a guest that never reaches an interrupt check is killed at its deadline', { timeout: 120_000 }, async (t) => {
  // QuickJS polls its interrupt handler every ~10,000 branches; 100 iterations that each
  // build an 8 MiB string never get there (before the fix this ran ~30 s and then succeeded).
  const code = 'function f() { let n = 0; for (let i = 0; i < 100; i++) n += "x".repeat(1 << 23).length; return n; }';
  await runInSandbox({ code: 'function f() { return 1; }', entry: 'f' }); // a started thread: time the run, not the start
  const started = performance.now();
  const result = await runInSandbox({ code, entry: 'f', timeoutMs: 200 });
  const wallMs = performance.now() - started;
  const error = errorOf(result);
  t.diagnostic(`killed after ${Math.round(wallMs)} ms (timeout 200 ms)`);
  assert.equal(error.code, 'SANDBOX_TIMEOUT');
  assert.match(error.message, /killed/);
  assert.ok(wallMs < 5000, `took ${Math.round(wallMs)} ms`);
  // A fresh thread serves the next run.
  const next = await runInSandbox({ code: 'function f(a) { return a * 2; }', entry: 'f', args: [21] });
  assert.deepEqual(next.ok && next.value, 42);
});

test('the pool never runs more threads than its size; queued and running runs are cancellable', { timeout: 120_000 }, async () => {
  const pool = new SandboxPool({ size: 1 });
  try {
    const job = (code: string, timeoutMs = 1000) => ({ code, entry: 'f', argsJson: '[]', timeoutMs, memoryBytes: 16 * MIB, maxStackBytes: 256 * 1024 });
    const results = await Promise.all([1, 2, 3, 4].map((n) => pool.run(job(`function f() { return ${n}; }`))));
    assert.deepEqual(results.map((r) => r.ok && r.value), [1, 2, 3, 4]);
    assert.equal(pool.threadCount, 1);

    const running = new AbortController();
    const queued = new AbortController();
    const first = pool.run(job('function f() { for (;;) {} }', 10_000), running.signal);
    const second = pool.run(job('function f() { return 2; }'), queued.signal);
    const third = pool.run(job('function f() { return 3; }'));
    queued.abort(new Error('queued run cancelled'));
    await assert.rejects(second, /queued run cancelled/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelledAt = performance.now();
    running.abort(new Error('running run cancelled'));
    await assert.rejects(first, /running run cancelled/);
    assert.ok(performance.now() - cancelledAt < 1000, 'the running guest is stopped at once, not at its 10 s deadline');
    const last = await third;
    assert.deepEqual(last.ok && last.value, 3);
    assert.ok(pool.threadCount <= 1);
  } finally {
    await pool.close();
  }
});

test('limits a caller cannot exceed are refused with INVALID_INPUT', async () => {
  const runOf = (extra: object) => runInSandbox({ code: 'function f() { return 1; }', entry: 'f', ...extra });
  await assert.rejects(runOf({ timeoutMs: 60_000 }), (error: Error & { code?: string }) => error.code === 'INVALID_INPUT' && /at most 10000 ms/.test(error.message));
  await assert.rejects(runOf({ memoryBytes: 1024 * MIB }), (error: Error & { code?: string }) => error.code === 'INVALID_INPUT' && /at most .*128 MiB/.test(error.message));
  await assert.rejects(runOf({ maxStackBytes: 64 * MIB }), { code: 'INVALID_INPUT' });

  // The code task: examples × samples × timeout is capped (100 × 64 × 1 s would be 107 minutes).
  const examples = Array.from({ length: 100 }, (_, i) => ({ input: [i], output: i }));
  assert.throws(() => parseTaskInput('code', { prompt: 'identity', examples, samples: 64 }), (error: Error & { code?: string }) => error.code === 'INVALID_INPUT' && /input\.timeoutMs: examples × samples × timeoutMs = 6400000 ms/.test(error.message));
  assert.throws(() => parseTaskInput('code', { prompt: 'identity', examples: examples.slice(0, 1), timeoutMs: 60_000 }), { code: 'INVALID_INPUT' });
  assert.equal(parseTaskInput('code', { prompt: 'identity', examples: examples.slice(0, 10), samples: 8, timeoutMs: 5000 }).timeoutMs, 5000);

  // The sampler checks the same budget before asking the model for anything.
  const model = createOpenAICompatible({ name: 'unreachable', baseURL: 'http://127.0.0.1:9/v1' }).chatModel('m');
  await assert.rejects(sampleCode(model, { task: 't', examples, k: 64, timeoutMs: 1000 }), (error: Error & { code?: string }) => error.code === 'INVALID_INPUT' && /600000 ms/.test(error.message));
  await assert.rejects(sampleCode(model, { task: 't', examples: examples.slice(0, 1), k: 1, memoryBytes: 1024 * MIB }), { code: 'INVALID_INPUT' });
});
