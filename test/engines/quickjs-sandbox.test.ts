import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInSandbox, type SandboxResult } from '../../src/engines/quickjs-sandbox/index.ts';

const run = (code: string, args: unknown[] = [], timeoutMs = 300): Promise<SandboxResult> =>
  runInSandbox({ code, entry: 'f', args, timeoutMs, memoryBytes: 16 * 1024 * 1024 });

function errorCode(result: SandboxResult): string {
  assert.equal(result.ok, false, JSON.stringify(result));
  return result.ok ? '' : result.error.code;
}

test('runs a function with JSON args and returns JSON', async () => {
  const result = await run('function f(a, b) { return { sum: a + b, list: [a, b] }; }', [2, 3]);
  assert.deepEqual(result.ok && result.value, { sum: 5, list: [2, 3] });
});

test('filesystem access is unavailable', async () => {
  assert.equal(errorCode(await run('function f() { return require("fs"); }')), 'SANDBOX_ERROR');
  assert.equal(errorCode(await run('import * as std from "std"; function f() { return 1; }')), 'SANDBOX_ERROR');
  const globals = await run('function f() { return [typeof std, typeof os, typeof require, typeof module]; }');
  assert.deepEqual(globals.ok && globals.value, ['undefined', 'undefined', 'undefined', 'undefined']);
  // import() yields a promise that can never resolve to a host module; only "{}" comes back.
  const dyn = await run('function f() { let got = "none"; import("fs").then((m) => { got = typeof m.readFileSync; }); return got; }');
  assert.deepEqual(dyn.ok && dyn.value, 'none');
});

test('network and process are unavailable', async () => {
  const result = await run('function f() { return [typeof fetch, typeof XMLHttpRequest, typeof process, typeof globalThis.process, typeof setTimeout]; }');
  assert.deepEqual(result.ok && result.value, ['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  assert.equal(errorCode(await run('function f() { process.exit(1); }')), 'SANDBOX_ERROR');
  assert.equal(errorCode(await run('function f() { return fetch("http://127.0.0.1/"); }')), 'SANDBOX_ERROR');
});

test('an infinite loop is interrupted within the time limit', async () => {
  const result = await run('function f() { while (true) {} }', [], 200);
  assert.equal(errorCode(result), 'SANDBOX_TIMEOUT');
  assert.ok(result.durationMs < 1000, `took ${result.durationMs} ms`);
});

test('memory bombs hit the memory limit', async () => {
  assert.equal(errorCode(await run('function f() { return "x".repeat(2 ** 28); }')), 'SANDBOX_MEMORY');
  assert.equal(errorCode(await run('function f() { return new Array(2 ** 27).fill(1); }')), 'SANDBOX_MEMORY');
});

test('deep recursion is stopped by the stack limit', async () => {
  const result = await run('function f(n = 0) { return f(n + 1); }');
  assert.equal(errorCode(result), 'SANDBOX_ERROR');
  assert.match(result.ok ? '' : result.error.message, /stack/i);
});

test('syntax errors and bad entry names are reported, not thrown', async () => {
  assert.equal(errorCode(await run('function f( {')), 'SANDBOX_ERROR');
  assert.equal(errorCode(await runInSandbox({ code: '', entry: 'x); evil(' })), 'SANDBOX_ERROR');
});

test('prototype pollution does not leak between runs', async () => {
  await run('function f() { Object.prototype.polluted = 1; globalThis.leak = 2; return 1; }');
  const result = await run('function f() { return [({}).polluted, typeof leak]; }');
  assert.deepEqual(result.ok && result.value, [null, 'undefined']);
});

test('the sandbox still works after failures', async () => {
  const result = await run('function f(s) { return s.split("").reverse().join(""); }', ['abc']);
  assert.deepEqual(result.ok && result.value, 'cba');
});
