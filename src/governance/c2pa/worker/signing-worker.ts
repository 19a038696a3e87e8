/**
 * The main-thread side of the signing worker: one lazily started thread per process that
 * keeps its wasm instance warm, referenced only while a request is in flight (an idle worker
 * never holds the process open). A crashed worker fails its requests and is restarted on the
 * next one.
 */
import { Worker } from 'node:worker_threads';
import { isErrorCode, ShenbiError } from '../../../core/errors.ts';
import { c2paFormatOf } from '../formats.ts';
import type { SignC2paOptions, SignC2paResult } from '../sign.ts';
import { ownBuffer } from '../../../workers/transferables.ts';
import type { SignRequest, SignResponse } from './protocol.ts';

interface Pending {
  resolve(result: SignC2paResult): void;
  reject(error: Error): void;
}

export class C2paSigningWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /**
   * Same contract as signC2pa. The bytes cross the thread boundary as a copy, or, with `move`
   * (the caller never reads them again), moved: their buffer is then detached here, and the
   * result's bytes (signed or not) are the ones to use.
   */
  sign(bytes: Uint8Array, mimeType: string, options: SignC2paOptions, { move = false, warmUp = false }: { move?: boolean; warmUp?: boolean } = {}): Promise<SignC2paResult> {
    if (c2paFormatOf(mimeType) === null) return Promise.resolve({ signed: false, bytes, mimeType, reason: 'unsupported-format' });
    const worker = this.start();
    // Moved only when the view is its whole buffer: the rest of a larger one may be someone else's.
    const sent = move && ownBuffer(bytes) !== undefined ? bytes : new Uint8Array(bytes);
    const { keys, ...rest } = options;
    const request: SignRequest = { id: this.nextId++, bytes: sent, mimeType, keysDir: keys.dir, options: rest, warmUp };
    return new Promise<SignC2paResult>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.ref();
      worker.postMessage(request, [sent.buffer as ArrayBuffer]);
    });
  }

  /** Starts the thread and signs a tiny PNG in it, so the first real file is signed at full speed. */
  async warmUp(options: SignC2paOptions): Promise<void> {
    await this.sign(TINY_GIF, 'image/gif', options, { warmUp: true });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(new URL('./entry.mjs', import.meta.url));
    worker.unref();
    worker.on('message', (response: SignResponse) => {
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (this.pending.size === 0) worker.unref();
      if (waiting === undefined) return;
      if (response.ok) waiting.resolve(response.result);
      else {
        const { code, message, hint } = response.error;
        waiting.reject(new ShenbiError(isErrorCode(code) ? code : 'ENGINE_FAILED', message, hint === undefined ? {} : { hint }));
      }
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => failAll(new ShenbiError('ENGINE_FAILED', `the C2PA signing worker crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => failAll(new ShenbiError('ENGINE_FAILED', `the C2PA signing worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** A 1×1 GIF for the warm-up request (the worker first runs warmUpC2pa, then signs this). */
const TINY_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==', 'base64');
