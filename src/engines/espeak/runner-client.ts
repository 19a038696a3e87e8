import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isErrorCode, ShenbiError } from '../../core/errors.ts';
import { replyEnvelopeSchema, type RunnerRequest } from './protocol.ts';

/** The GPL runner. Forked, never imported (see the notice at the top of that file). */
export const ESPEAK_RUNNER_PATH = fileURLToPath(new URL('./runner/espeak-runner.mjs', import.meta.url));

export interface RunnerClientOptions {
  /** The runner exits after this long without work. Default 30 s. */
  idleTimeoutMs?: number;
  /** A single request that runs longer than this fails with ENGINE_TIMEOUT. Default 120 s. */
  requestTimeoutMs?: number;
}

interface Runner {
  readonly child: ChildProcess;
  stderrTail: string;
  exited: boolean;
}

interface Job {
  readonly id: number;
  readonly request: RunnerRequest;
  resolve(value: Record<string, unknown>): void;
  reject(error: unknown): void;
  /** Detaches the abort listener; called exactly once, when the job settles. */
  cleanup(): void;
}

interface InFlight {
  readonly job: Job;
  readonly runner: Runner;
  readonly timer: NodeJS.Timeout;
}

/**
 * The main-process side of the eSpeak-NG process boundary. Forks the runner on first use and
 * keeps it for reuse (unref'd, so it never holds Node open while idle; it exits after
 * `idleTimeoutMs`). Requests are queued and sent one at a time, so if the runner dies only the
 * request it was working on fails (ENGINE_FAILED) and the next one starts a fresh runner.
 * Aborting the in-flight request kills the runner: eSpeak synthesizes synchronously and cannot
 * be interrupted any other way, and a restart costs ~0.2 s.
 */
export class EspeakRunnerClient {
  readonly #idleTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #queue: Job[] = [];
  #runner: Runner | undefined;
  #current: InFlight | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #closed = false;

  constructor(options: RunnerClientOptions = {}) {
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  }

  /** The runner's process id while one is running (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.#runner !== undefined && !this.#runner.exited ? this.#runner.child.pid : undefined;
  }

  /** Sends one request; resolves with the validated reply envelope (ok: true) or rejects. */
  request(request: RunnerRequest, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new ShenbiError('ENGINE_UNAVAILABLE', 'The eSpeak-NG engine has been closed.'));
    if (signal?.aborted) return Promise.reject(cancelledError());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => this.#abort(job);
      const job: Job = {
        id: this.#nextId++,
        request,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Stops the runner and fails anything still queued. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    const closedError = new ShenbiError('ENGINE_UNAVAILABLE', 'The eSpeak-NG engine was closed before this request ran.');
    for (const job of this.#queue.splice(0)) settle(job, closedError);
    const runner = this.#runner;
    if (runner === undefined || runner.exited) return;
    const exited = new Promise<void>((resolve) => runner.child.once('exit', () => resolve()));
    // The child is unref'd while idle; hold the loop open until it has really gone, or a
    // caller awaiting close() at the end of a script would see the process exit first.
    runner.child.ref();
    this.#stop(runner);
    await exited;
  }

  #pump(): void {
    if (this.#current !== undefined) return;
    const job = this.#queue.shift();
    if (job === undefined) {
      this.#scheduleIdleExit();
      return;
    }
    clearTimeout(this.#idleTimer);
    let runner: Runner;
    try {
      runner = this.#ensureRunner();
    } catch (error) {
      settle(job, new ShenbiError('ENGINE_UNAVAILABLE', `Could not start the eSpeak-NG runner: ${String(error)}`, { cause: error }));
      this.#pump();
      return;
    }
    const timer = setTimeout(() => {
      if (this.#current?.job !== job) return;
      this.#current = undefined;
      this.#stop(runner);
      settle(job, new ShenbiError('ENGINE_TIMEOUT', `eSpeak-NG did not answer within ${this.#requestTimeoutMs} ms.`));
      this.#pump();
    }, this.#requestTimeoutMs);
    this.#current = { job, runner, timer };
    // Hold the event loop open only while someone is waiting for an answer.
    runner.child.channel?.ref();
    runner.child.send({ id: job.id, ...job.request }, (error) => {
      // A failed send means the runner is gone; its 'exit' handler fails the job.
      if (error) this.#stop(runner);
    });
  }

  #ensureRunner(): Runner {
    if (this.#runner !== undefined && !this.#runner.exited) return this.#runner;
    const child = fork(ESPEAK_RUNNER_PATH, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Plain JS: no TypeScript loader (or other flags of this process) needed.
      execArgv: [],
    });
    const runner: Runner = { child, stderrTail: '', exited: false };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      runner.stderrTail = (runner.stderrTail + chunk).slice(-2000);
    });
    child.on('message', (message) => this.#onMessage(runner, message));
    child.on('exit', (code, signal) => this.#onExit(runner, code === null ? `signal ${signal ?? 'unknown'}` : `exit code ${code}`));
    child.on('error', (error) => this.#onExit(runner, error.message));
    child.unref();
    child.channel?.unref();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    this.#runner = runner;
    return runner;
  }

  #onMessage(runner: Runner, message: unknown): void {
    const current = this.#current;
    if (current === undefined || current.runner !== runner) return;
    const parsed = replyEnvelopeSchema.safeParse(message);
    if (!parsed.success) {
      this.#finish(current, new ShenbiError('ENGINE_FAILED', 'The eSpeak-NG runner sent a malformed reply.', { details: { issues: parsed.error.issues.slice(0, 5) } }));
      this.#stop(runner);
      this.#pump();
      return;
    }
    const reply = parsed.data;
    if (reply.id !== current.job.id) return; // a stale answer to a request that was cancelled
    if (reply.ok) this.#finish(current, undefined, reply);
    else this.#finish(current, new ShenbiError(isErrorCode(reply.error.code) ? reply.error.code : 'ENGINE_FAILED', `eSpeak-NG: ${reply.error.message}`));
    this.#pump();
  }

  #onExit(runner: Runner, how: string): void {
    if (runner.exited) return;
    runner.exited = true;
    if (this.#runner === runner) this.#runner = undefined;
    const current = this.#current;
    if (current !== undefined && current.runner === runner) {
      const stderr = runner.stderrTail.trim();
      this.#finish(
        current,
        new ShenbiError('ENGINE_FAILED', `The eSpeak-NG runner process stopped (${how}) while working on this request.`, {
          details: { pid: runner.child.pid, ...(stderr === '' ? {} : { stderr }) },
          hint: 'Try again: the next request starts a fresh runner.',
        }),
      );
    }
    if (!this.#closed) this.#pump();
  }

  #finish(current: InFlight, error: unknown, value?: Record<string, unknown>): void {
    clearTimeout(current.timer);
    if (this.#current === current) this.#current = undefined;
    if (!current.runner.exited) current.runner.child.channel?.unref();
    settle(current.job, error, value);
  }

  #abort(job: Job): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      settle(job, cancelledError());
      return;
    }
    const current = this.#current;
    if (current?.job !== job) return;
    this.#finish(current, cancelledError());
    this.#stop(current.runner);
    this.#pump();
  }

  /** Lets a runner go: it is never reused once stopped. */
  #stop(runner: Runner): void {
    if (this.#runner === runner) this.#runner = undefined;
    if (!runner.exited) runner.child.kill('SIGKILL');
  }

  #scheduleIdleExit(): void {
    clearTimeout(this.#idleTimer);
    const runner = this.#runner;
    if (runner === undefined || runner.exited) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#current === undefined && this.#queue.length === 0 && this.#runner === runner) {
        this.#runner = undefined;
        // The runner exits by itself when its IPC channel closes.
        if (runner.child.connected) runner.child.disconnect();
        else runner.child.kill('SIGKILL');
      }
    }, this.#idleTimeoutMs);
    this.#idleTimer.unref();
  }
}

function settle(job: Job, error: unknown, value?: Record<string, unknown>): void {
  job.cleanup();
  if (error !== undefined) job.reject(error);
  else job.resolve(value ?? {});
}

function cancelledError(): ShenbiError {
  return new ShenbiError('JOB_CANCELLED', 'Speech synthesis was cancelled.');
}
