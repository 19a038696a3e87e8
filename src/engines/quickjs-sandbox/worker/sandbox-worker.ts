/**
 * The sandbox thread: holds one bounded QuickJS instance (rebuilt when a run asks for a
 * different heap size) and runs one job at a time. It never decides its own fate: the pool
 * reads the memory figure it reports and kills or retires the thread.
 */
import { parentPort } from 'node:worker_threads';
import { newBoundedQuickJS, type BoundedQuickJS } from '../bounded-quickjs.ts';
import { evaluateInQuickJS } from '../evaluate-in-quickjs.ts';
import { SANDBOX_LIMITS } from '../sandbox-limits.ts';
import type { SandboxWorkerMessage, SandboxWorkerRequest } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('sandbox-worker.ts must run in a worker thread');

/**
 * A fresh instance's first evaluation is ~100× slower than the next (V8 compiles QuickJS's WASM
 * lazily: ~110 ms against ~1 ms): pay that here, before any run's deadline starts counting.
 */
async function warmQuickJS(heapBytes: number): Promise<BoundedQuickJS> {
  const quickjs = await newBoundedQuickJS(heapBytes);
  evaluateInQuickJS(quickjs, { code: 'function warm(a) { return [a + 1, String(a), { a }]; }', entry: 'warm', argsJson: '[1]', timeoutMs: SANDBOX_LIMITS.maxTimeoutMs, memoryBytes: heapBytes, maxStackBytes: SANDBOX_LIMITS.maxStackBytes });
  return quickjs;
}

let instance: BoundedQuickJS = await warmQuickJS(SANDBOX_LIMITS.defaultMemoryBytes);

port.on('message', (request: SandboxWorkerRequest) => {
  void (async () => {
    if (instance.heapBytes !== request.job.memoryBytes) instance = await warmQuickJS(request.job.memoryBytes);
    port.postMessage({ type: 'started', id: request.id } satisfies SandboxWorkerMessage);
    const { result, poisoned } = evaluateInQuickJS(instance, request.job);
    const message: SandboxWorkerMessage = { type: 'done', id: request.id, result, wasmMemoryBytes: instance.memory.buffer.byteLength, poisoned };
    port.postMessage(message);
  })();
});
port.postMessage({ type: 'ready' } satisfies SandboxWorkerMessage);
