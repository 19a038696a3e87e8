import os from 'node:os';
import { getLlama, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';

export interface ModelPoolOptions {
  /** Capped at os.availableParallelism(). Default 1: platform-notes measured ~800 tok/s at 1 thread vs ~69 at 2 on 2 cores (busy-wait barrier). */
  readonly threads?: number;
  readonly idleUnloadMs?: number;
  /** Parallel sequences of the one shared context. */
  readonly sequences?: number;
}

export interface PooledModel {
  readonly model: LlamaModel;
  readonly context: LlamaContext;
}

interface Entry {
  loading: Promise<PooledModel>;
  active: number;
  timer?: NodeJS.Timeout;
}

/** Loads each model file once; concurrent requests share one context through its sequences. */
export class ModelPool {
  loads = 0;
  readonly #entries = new Map<string, Entry>();
  #llama?: Promise<Llama>;
  readonly threads: number;
  readonly #idleUnloadMs: number;
  readonly #sequences: number;

  constructor(options: ModelPoolOptions = {}) {
    this.threads = Math.max(1, Math.min(options.threads ?? 1, os.availableParallelism()));
    this.#idleUnloadMs = options.idleUnloadMs ?? 60_000;
    this.#sequences = options.sequences ?? 8;
  }

  isLoaded(path: string): boolean {
    return this.#entries.has(path);
  }

  /** Runs fn with the model held; the idle timer starts when the last user leaves. */
  async use<T>(path: string, fn: (pooled: PooledModel) => Promise<T>): Promise<T> {
    let entry = this.#entries.get(path);
    if (!entry) {
      entry = { loading: this.#load(path), active: 0 };
      this.#entries.set(path, entry);
      entry.loading.catch(() => this.#entries.delete(path));
    }
    clearTimeout(entry.timer);
    entry.active++;
    try {
      return await fn(await entry.loading);
    } finally {
      entry.active--;
      if (entry.active === 0) {
        const current = entry;
        current.timer = setTimeout(() => void this.#unload(path, current), this.#idleUnloadMs);
        current.timer.unref();
      }
    }
  }

  async #load(path: string): Promise<PooledModel> {
    this.#llama ??= getLlama({ gpu: false, build: 'never' });
    const llama = await this.#llama;
    const model = await llama.loadModel({ modelPath: path });
    const context = await model.createContext({ sequences: this.#sequences, threads: this.threads });
    this.loads++;
    return { model, context };
  }

  async #unload(path: string, entry: Entry): Promise<void> {
    if (this.#entries.get(path) !== entry || entry.active > 0) return;
    this.#entries.delete(path);
    const { model, context } = await entry.loading;
    await context.dispose();
    await model.dispose();
  }

  async close(): Promise<void> {
    for (const [path, entry] of [...this.#entries]) {
      clearTimeout(entry.timer);
      await this.#unload(path, entry).catch(() => undefined);
    }
  }
}
