/**
 * A small pool of sandbox threads (node:worker_threads), so guest code never runs on the
 * event loop that serves the API. Runs wait in a FIFO queue for a free thread; there are never
 * more threads than `size`. The host, not the guest, enforces the limits:
 * - a run still going `killGraceMs` after its timeout has its thread terminated (V8 stops
 *   WASM too), whatever the guest does, and answers SANDBOX_TIMEOUT; a fresh thread serves
 *   the next run;
 * - a thread whose WASM memory grew past `retireAboveBytes` is retired after its run, so the
 *   memory a hungry guest made the host map is returned, not kept for the life of the process
 *   (WASM memory never shrinks); the memory itself is capped per run (see bounded-quickjs.ts);
 * - aborting a run's signal removes it from the queue or kills its thread, and the run
 *   rejects with the signal's reason.
 * Idle threads hold no reference on the process and exit after `idleMs`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ShenbiError } from '../../core/errors.ts';
import { QUICKJS_BASE_BYTES } from './bounded-quickjs.ts';
import type { SandboxJob } from './evaluate-in-quickjs.ts';
import type { SandboxResult } from './sandbox-request.ts';
import type { SandboxWorkerMessage, SandboxWorkerRequest } from './worker/protocol.ts';

const ENTRY = new URL('./worker/entry.mjs', import.meta.url);

export interface SandboxPoolOptions {
  /** Threads at most. Default: one per core, at most 4. */
  readonly size?: number;
  /** How long past a run's timeout its thread may go on before it is killed. */
  readonly killGraceMs?: number;
  /** A thread whose WASM memory is larger than this after a run is replaced. */
  readonly retireAboveBytes?: number;
  /** An idle thread exits after this long. */
  readonly idleMs?: number;
}

/** Time a thread may take to start a run it was given (rebuilding its QuickJS instance), before the run's own clock starts. */
const START_ALLOWANCE_MS = 15_000;
/** V8 heap of one sandbox thread: the loader, QuickJS glue and one result (≤ 1 MiB JSON) need far less. */
const THREAD_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 };

interface Pending {
  readonly job: SandboxJob;
  readonly resolve: (result: SandboxResult) => void;
  readonly reject: (error: unknown) => void;
  readonly detach: () => void;
}

interface Running {
  readonly id: number;
  readonly pending: Pending;
  readonly dispatchedAt: number;
  timer: NodeJS.Timeout;
}

interface Thread {
  readonly worker: Worker;
  ready: boolean;
  running: Running | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

export class SandboxPool {
  readonly size: number;
  private readonly killGraceMs: number;
  private readonly retireAboveBytes: number;
  private readonly idleMs: number;
  private readonly threads = new Set<Thread>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: SandboxPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(availableParallelism(), 4));
    this.killGraceMs = options.killGraceMs ?? 300;
    this.retireAboveBytes = options.retireAboveBytes ?? QUICKJS_BASE_BYTES + 16 * 1024 * 1024;
    this.idleMs = options.idleMs ?? 60_000;
  }

  /** Threads alive now (starting, running or idle). */
  get threadCount(): number {
    return this.threads.size;
  }

  run(job: SandboxJob, signal?: AbortSignal): Promise<SandboxResult> {
    if (this.closed) return Promise.reject(new ShenbiError('ENGINE_FAILED', 'The sandbox pool is closed.'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<SandboxResult>((resolve, reject) => {
      const onAbort = (): void => this.cancel(pending, signal?.reason);
      const pending: Pending = {
        job,
        resolve: (result) => {
          pending.detach();
          resolve(result);
        },
        reject: (error) => {
          pending.detach();
          reject(error);
        },
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Kills every thread; queued and running runs reject with ENGINE_FAILED. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new ShenbiError('ENGINE_FAILED', 'The sandbox pool was closed.');
    for (const pending of this.queue.splice(0)) pending.reject(error);
    const threads = [...this.threads];
    this.threads.clear();
    for (const thread of threads) {
      this.clearTimers(thread);
      thread.running?.pending.reject(error);
    }
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = [...this.threads].find((thread) => thread.ready && thread.running === undefined);
      if (idle !== undefined) {
        this.start(idle, this.queue.shift() as Pending);
        continue;
      }
      const starting = [...this.threads].filter((thread) => !thread.ready).length;
      if (this.threads.size < this.size && starting < this.queue.length) {
        this.spawn();
        continue;
      }
      return;
    }
  }

  private spawn(): void {
    const worker = new Worker(ENTRY, { resourceLimits: THREAD_RESOURCE_LIMITS });
    const thread: Thread = { worker, ready: false, running: undefined, idleTimer: undefined };
    this.threads.add(thread);
    worker.on('message', (message: SandboxWorkerMessage) => {
      if (message.type === 'ready') {
        thread.ready = true;
        this.idle(thread);
        this.dispatch();
      } else if (message.type === 'started') this.armDeadline(thread, message.id);
      else this.finish(thread, message);
    });
    worker.on('error', (error) => this.lost(thread, error));
    worker.on('exit', () => this.lost(thread, undefined));
  }

  private start(thread: Thread, pending: Pending): void {
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    thread.idleTimer = undefined;
    const id = this.nextId++;
    // Until the thread says the guest started, allow it time to (re)build its instance.
    const timer = setTimeout(() => this.kill(thread), START_ALLOWANCE_MS + pending.job.timeoutMs + this.killGraceMs);
    thread.running = { id, pending, dispatchedAt: performance.now(), timer };
    thread.worker.ref();
    const request: SandboxWorkerRequest = { id, job: pending.job };
    thread.worker.postMessage(request);
  }

  private armDeadline(thread: Thread, id: number): void {
    const running = thread.running;
    if (running === undefined || running.id !== id) return;
    clearTimeout(running.timer);
    running.timer = setTimeout(() => this.kill(thread), running.pending.job.timeoutMs + this.killGraceMs);
  }

  private finish(thread: Thread, message: Extract<SandboxWorkerMessage, { type: 'done' }>): void {
    const running = thread.running;
    if (running === undefined || running.id !== message.id) return;
    clearTimeout(running.timer);
    thread.running = undefined;
    running.pending.resolve(message.result);
    if (message.poisoned || message.wasmMemoryBytes > this.retireAboveBytes) this.retire(thread);
    else this.idle(thread);
    this.dispatch();
  }

  /** The deadline passed: the guest ignored its interrupt (or the thread hung). */
  private kill(thread: Thread): void {
    const running = thread.running;
    this.retire(thread);
    if (running !== undefined) {
      const { timeoutMs } = running.pending.job;
      running.pending.resolve({
        ok: false,
        error: { code: 'SANDBOX_TIMEOUT', message: `InternalError: interrupted (the program ran past its ${timeoutMs} ms limit and its thread was killed)` },
        durationMs: Math.round(performance.now() - running.dispatchedAt),
      });
    }
    this.dispatch();
  }

  private cancel(pending: Pending, reason: unknown): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      pending.reject(reason);
      return;
    }
    const thread = [...this.threads].find((t) => t.running?.pending === pending);
    if (thread === undefined) return;
    this.retire(thread);
    pending.reject(reason);
    this.dispatch();
  }

  /** The thread crashed or exited on its own. */
  private lost(thread: Thread, error: Error | undefined): void {
    if (!this.threads.has(thread)) return; // already retired or killed
    this.threads.delete(thread);
    this.clearTimers(thread);
    const running = thread.running;
    thread.running = undefined;
    const why = error?.message ?? 'it exited';
    if (running !== undefined) {
      const outOfMemory = (error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      running.pending.resolve({
        ok: false,
        error: { code: outOfMemory ? 'SANDBOX_MEMORY' : 'SANDBOX_ERROR', message: `the sandbox thread failed: ${why}` },
        durationMs: Math.round(performance.now() - running.dispatchedAt),
      });
    } else if (!thread.ready) {
      // A thread that cannot start will not start on a retry either: fail what waits, do not loop.
      const failure = new ShenbiError('ENGINE_FAILED', `The sandbox thread failed to start: ${why}`, error === undefined ? {} : { cause: error });
      for (const pending of this.queue.splice(0)) pending.reject(failure);
    }
    this.dispatch();
  }

  private retire(thread: Thread): void {
    this.threads.delete(thread);
    this.clearTimers(thread);
    thread.running = undefined;
    void thread.worker.terminate();
  }

  private idle(thread: Thread): void {
    thread.worker.unref();
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    thread.idleTimer = setTimeout(() => {
      if (thread.running === undefined) this.retire(thread);
    }, this.idleMs).unref();
  }

  private clearTimers(thread: Thread): void {
    if (thread.running !== undefined) clearTimeout(thread.running.timer);
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    thread.idleTimer = undefined;
  }
}
