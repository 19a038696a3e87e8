import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';

const RUNNER = fileURLToPath(new URL('./runner.mjs', import.meta.url));

const eventSchema = z.object({ type: z.enum(['word', 'sentence', 'end']), textPosition: z.number().int(), length: z.number().int(), audioMs: z.number() });
const synthReplySchema = z.object({ sampleRate: z.number().int().positive(), samples: z.instanceof(Int16Array), events: z.array(eventSchema) });
const voicesReplySchema = z.object({ voices: z.array(z.object({ id: z.string(), name: z.string() })) });
const replySchema = z.union([
  z.object({ id: z.number(), ok: z.literal(true) }).passthrough(),
  z.object({ id: z.number(), ok: z.literal(false), error: z.string() }),
]);

export type RunnerEvent = z.infer<typeof eventSchema>;
export type RunnerSynthesis = z.infer<typeof synthReplySchema>;
export interface RunnerVoice { id: string; name: string }

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: unknown) => void;
}

/**
 * The main-process side of the eSpeak-NG process boundary (see runner.mjs for why). Starts
 * the runner on first use, keeps it for reuse, and lets it go after `idleMs`. Requests are
 * answered in order by the single-threaded runner. If the runner dies, the requests in flight
 * fail with ENGINE_FAILED and the next request starts a fresh one. The runner holds the
 * parent's event loop open only while a request is in flight.
 */
export class EspeakRunnerClient {
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #idleTimer: NodeJS.Timeout | undefined;
  #stderr = '';

  constructor(private readonly idleMs = 60_000) {}

  /** The runner's pid, while one is running (tests use it to kill the runner). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async synth(request: { text: string; voice: string; rate: number; pitch: number }, signal?: AbortSignal): Promise<RunnerSynthesis> {
    const reply = await this.#request({ op: 'synth', ...request }, signal);
    return synthReplySchema.parse(reply);
  }

  async voices(): Promise<RunnerVoice[]> {
    return voicesReplySchema.parse(await this.#request({ op: 'voices' })).voices;
  }

  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const child = this.#child;
    this.#child = undefined;
    this.#ready = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    }
  }

  #start(): Promise<void> {
    this.#stderr = '';
    const child = fork(RUNNER, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    this.#child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2000);
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, sig) => reject(this.#crashError(code, sig)));
      child.on('message', (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'ready' in message) return resolve();
        this.#onReply(message);
      });
    });
    child.once('exit', (code, sig) => {
      if (this.#child === child) {
        this.#child = undefined;
        this.#ready = undefined;
      }
      const error = this.#crashError(code, sig);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
    return ready;
  }

  #crashError(code: number | null, signal: NodeJS.Signals | null): ShenbiError {
    const how = signal ? `was killed (${signal})` : `exited with status ${code}`;
    return new ShenbiError('ENGINE_FAILED', `the eSpeak-NG runner ${how}${this.#stderr ? `: ${this.#stderr.trim().split('\n').at(-1)}` : ''}`, {
      hint: 'The next request starts a new runner.',
    });
  }

  #onReply(message: unknown): void {
    const parsed = replySchema.safeParse(message);
    if (!parsed.success) return;
    const pending = this.#pending.get(parsed.data.id);
    if (!pending) return;
    this.#pending.delete(parsed.data.id);
    if (parsed.data.ok) pending.resolve(parsed.data as Record<string, unknown>);
    else pending.reject(new ShenbiError('ENGINE_FAILED', `eSpeak-NG: ${(parsed.data as { error: string }).error}`));
    this.#settle();
  }

  async #request(body: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    signal?.throwIfAborted();
    clearTimeout(this.#idleTimer);
    if (!this.#child || !this.#ready) {
      this.#ready = this.#start();
      this.#ready.catch(() => undefined);
    }
    const child = this.#child!;
    child.ref();
    (child.channel as { ref?: () => void } | undefined)?.ref?.();
    await this.#ready;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // The runner cannot be interrupted mid-synthesis: stop it; the next request starts another.
        this.#pending.delete(id);
        reject(signal?.reason);
        void this.close();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      child.send({ id, ...body });
    });
  }

  /** With nothing in flight, let the process exit around an idle runner, and stop it later. */
  #settle(): void {
    if (this.#pending.size > 0 || !this.#child) return;
    this.#child.unref();
    (this.#child.channel as { unref?: () => void } | undefined)?.unref?.();
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.#idleTimer.unref();
  }
}
