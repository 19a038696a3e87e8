import { stat } from 'node:fs/promises';
import os from 'node:os';
import type { ChatWrapper, Llama, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { ShenbiError } from '../../core/errors.ts';
import { resolveChatWrapperChoice, type ChatWrapperChoice } from './chat-wrapper.ts';
import { ContextLanes } from './context-lanes.ts';

export interface ModelPoolOptions {
  /** Capped at os.availableParallelism(). Default 1: platform-notes measured ~800 tok/s at 1 thread vs ~69 at 2 on 2 cores (busy-wait barrier). */
  readonly threads?: number;
  readonly idleUnloadMs?: number;
  /** Requests one loaded model serves at once (sequences over all its lanes). Default 8. */
  readonly sequences?: number;
  /**
   * Contexts of one loaded model that decode in parallel (see context-lanes.ts). Default: twice
   * the cores, at most `sequences`; 1 gives one context batching every sequence.
   */
  readonly lanes?: number;
  /**
   * Bytes the loaded models may hold together (file size plus context state). Loading past it
   * first unloads idle models, least recently used first. Default: no limit.
   */
  readonly memoryBudgetBytes?: number;
  /** 'auto' (default): the model's own chat template when its GGUF has one, plain text otherwise. */
  readonly chatWrapper?: ChatWrapperChoice;
}

/** node-llama-cpp's module, imported when the first model loads, not with Shenbi (~0.5 s of every command's start). */
export type NodeLlamaCpp = typeof import('node-llama-cpp');
let nodeLlamaCpp: Promise<NodeLlamaCpp> | undefined;
function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  nodeLlamaCpp ??= import('node-llama-cpp');
  return nodeLlamaCpp;
}

export interface PooledModel {
  readonly model: LlamaModel;
  /** node-llama-cpp itself (LlamaChat, LlamaCompletion, LlamaText): loaded with the model. */
  readonly llamaCpp: NodeLlamaCpp;
  /** The contexts requests run in; `lanes.withSequence` lends one sequence per request. */
  readonly lanes: ContextLanes;
  /** null: the model has no chat template (a base model); prompts are rendered as plain text. */
  readonly chatWrapper: ChatWrapper | null;
  /** One embedding context per model, made on first use and kept with the model. */
  embeddingContext(): Promise<LlamaEmbeddingContext>;
}

/** One llama.cpp backend per process, shared by every pool (each getLlama() registers exit hooks). */
let sharedLlama: Promise<Llama> | undefined;
function llamaBackend(): Promise<Llama> {
  // maxThreads = the cores: node-llama-cpp then lets only that many one-thread lanes decode at once.
  sharedLlama ??= loadNodeLlamaCpp().then(({ getLlama }) => getLlama({ gpu: false, build: 'never', maxThreads: os.availableParallelism() }));
  sharedLlama.catch(() => (sharedLlama = undefined));
  return sharedLlama;
}

interface Entry {
  loading: Promise<PooledModel>;
  active: number;
  lastUsed: number;
  bytes: number;
  timer?: NodeJS.Timeout;
}

/**
 * Loads each model file once; concurrent requests share one context through its sequences.
 * Idle models unload after a timeout, and the least recently used idle ones unload early when
 * a new load would pass the memory budget.
 */
export class ModelPool {
  loads = 0;
  unloads = 0;
  readonly #entries = new Map<string, Entry>();
  readonly threads: number;
  readonly #idleUnloadMs: number;
  readonly #sequences: number;
  readonly #lanes: number;
  readonly #budget: number;
  readonly #chatWrapper: ChatWrapperChoice;

  constructor(options: ModelPoolOptions = {}) {
    this.threads = Math.max(1, Math.min(options.threads ?? 1, os.availableParallelism()));
    this.#idleUnloadMs = options.idleUnloadMs ?? 60_000;
    this.#sequences = options.sequences ?? 8;
    this.#lanes = Math.max(1, Math.min(options.lanes ?? 2 * os.availableParallelism(), this.#sequences));
    this.#budget = options.memoryBudgetBytes ?? Number.POSITIVE_INFINITY;
    this.#chatWrapper = options.chatWrapper ?? 'auto';
  }

  isLoaded(path: string): boolean {
    return this.#entries.has(path);
  }

  /** Bytes held by loaded (or loading) models, as counted against the budget. */
  get heldBytes(): number {
    let sum = 0;
    for (const entry of this.#entries.values()) sum += entry.bytes;
    return sum;
  }

  /** Runs fn with the model held; the idle timer starts when the last user leaves. */
  async use<T>(path: string, fn: (pooled: PooledModel) => Promise<T>): Promise<T> {
    let entry = this.#entries.get(path);
    if (!entry) {
      const bytes = await this.#estimateBytes(path);
      entry = this.#entries.get(path); // another caller may have started it meanwhile
      if (!entry) {
        await this.#makeRoom(bytes);
        const created: Entry = { loading: this.#load(path), active: 0, lastUsed: Date.now(), bytes };
        entry = created;
        this.#entries.set(path, created);
        created.loading.catch(() => {
          if (this.#entries.get(path) === created) this.#entries.delete(path);
        });
      }
    }
    clearTimeout(entry.timer);
    entry.active++;
    entry.lastUsed = Date.now();
    try {
      return await fn(await entry.loading);
    } finally {
      entry.active--;
      entry.lastUsed = Date.now();
      if (entry.active === 0) {
        const current = entry;
        current.timer = setTimeout(() => void this.#unload(path, current), this.#idleUnloadMs);
        current.timer.unref();
      }
    }
  }

  async #estimateBytes(path: string): Promise<number> {
    try {
      // The weights dominate; the KV cache of small default contexts is a few percent more.
      return Math.ceil((await stat(path)).size * 1.1);
    } catch (error) {
      throw new ShenbiError('MODEL_NOT_INSTALLED', `model file not found: ${path}`, { cause: error });
    }
  }

  /** Unloads idle models, least recently used first, until `bytes` more fit the budget. */
  async #makeRoom(bytes: number): Promise<void> {
    if (!Number.isFinite(this.#budget)) return;
    const idle = [...this.#entries].filter(([, e]) => e.active === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [path, entry] of idle) {
      if (this.heldBytes + bytes <= this.#budget) break;
      clearTimeout(entry.timer);
      await this.#unload(path, entry);
    }
    // Models in use are never pulled from under a request; the load goes ahead over budget.
  }

  async #load(path: string): Promise<PooledModel> {
    const llama = await llamaBackend();
    const model = await llama.loadModel({ modelPath: path });
    let lanes: ContextLanes;
    try {
      lanes = await ContextLanes.create(model, { sequences: this.#sequences, lanes: this.#lanes, threads: this.threads });
    } catch (error) {
      await model.dispose();
      throw error;
    }
    const llamaCpp = await loadNodeLlamaCpp();
    const chatWrapper = resolveChatWrapperChoice(this.#chatWrapper, model, llamaCpp.resolveChatWrapper);
    let embedding: Promise<LlamaEmbeddingContext> | undefined;
    this.loads++;
    return {
      model,
      llamaCpp,
      lanes,
      chatWrapper,
      embeddingContext: () => (embedding ??= model.createEmbeddingContext({ threads: this.threads })),
    };
  }

  async #unload(path: string, entry: Entry): Promise<void> {
    if (this.#entries.get(path) !== entry || entry.active > 0) return;
    this.#entries.delete(path);
    const pooled = await entry.loading.catch(() => undefined);
    if (!pooled) return;
    this.unloads++;
    await pooled.lanes.dispose();
    await pooled.model.dispose(); // also disposes its embedding context
  }

  async close(): Promise<void> {
    for (const [path, entry] of [...this.#entries]) {
      clearTimeout(entry.timer);
      await this.#unload(path, entry).catch(() => undefined);
    }
  }
}
