import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { Semaphore } from '../../core/semaphore.ts';

export interface ContextLanesOptions {
  /** Concurrent requests in all: the sequences spread over the lanes. */
  readonly sequences: number;
  /** Contexts (lanes) of the one loaded model; capped at `sequences`. */
  readonly lanes: number;
  /** Threads each lane's decode asks for. */
  readonly threads: number;
}

/**
 * A disposed sequence is handed back to its context asynchronously, so just after a burst
 * ends getSequence() can briefly report none free although the count says one is: wait a
 * moment and ask again rather than fail the request.
 */
async function takeSequence(context: LlamaContext, signal?: AbortSignal): Promise<LlamaContextSequence> {
  for (let attempt = 0; ; attempt++) {
    try {
      return context.getSequence();
    } catch (error) {
      if (attempt >= 200 || !/no sequences left/i.test(String((error as Error).message))) throw error;
      signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

interface Lane {
  readonly context: LlamaContext;
  active: number;
  /** Sequences that finished a request and keep its tokens in the KV cache, oldest first. */
  readonly idle: LlamaContextSequence[];
}

/**
 * A kept sequence is chosen for its cached prefix only when it saves at least this many
 * tokens of evaluation; below that, spreading requests over the least busy lane wins.
 */
const MIN_REUSED_TOKENS = 16;

/**
 * The contexts one loaded model serves requests from. The weights are loaded once; each lane
 * is a context of its own (its own KV cache and compute buffers) whose decodes run on a
 * libuv worker in parallel with the other lanes', while sequences inside a lane are batched
 * into that lane's decodes.
 *
 * Why lanes rather than one context with every sequence: node-llama-cpp on CPU has no
 * persistent thread pool, so a context with 2 threads on 2 cores runs ~10× slower than with
 * one (platform-notes), and a one-thread context uses one core however many sequences it
 * batches. Lanes put the other cores to work, and with more lanes than cores the per-token
 * JavaScript of one lane (sampling, detokenizing, stop triggers) overlaps another lane's
 * decode. Measured on stories260K, 4 streams on 2 cores: one context 1.15–1.22× a single
 * stream, 2 lanes 1.25–1.30×, 4 lanes 1.73–1.86×. The backend's maxThreads (the cores) still
 * caps how many lanes decode at once.
 */
export class ContextLanes {
  readonly #lanes: Lane[];
  readonly #permits: Semaphore;

  private constructor(lanes: Lane[], sequences: number) {
    this.#lanes = lanes;
    this.#permits = new Semaphore(sequences);
  }

  static async create(model: LlamaModel, options: ContextLanesOptions): Promise<ContextLanes> {
    const laneCount = Math.max(1, Math.min(options.lanes, options.sequences));
    const perLane = Math.ceil(options.sequences / laneCount);
    const first = await model.createContext({ sequences: perLane, threads: options.threads });
    const contexts = [first];
    try {
      // Every lane gets the first one's size: 'auto' sizing would give later lanes whatever memory is left.
      for (let i = 1; i < laneCount; i++) {
        contexts.push(await model.createContext({ sequences: perLane, threads: options.threads, contextSize: first.contextSize }));
      }
    } catch (error) {
      for (const context of contexts) await context.dispose();
      throw error;
    }
    return new ContextLanes(
      contexts.map((context) => ({ context, active: 0, idle: [] })),
      options.sequences,
    );
  }

  get count(): number {
    return this.#lanes.length;
  }

  /** Requests running in each lane now. */
  get busy(): number[] {
    return this.#lanes.map((lane) => lane.active);
  }

  /** Tokens one sequence can hold, prompt and output together (the same in every lane). */
  get contextSize(): number {
    return this.#lanes[0]!.context.contextSize;
  }

  /**
   * Runs fn on a sequence. More requests than sequences wait their turn (FIFO) instead of
   * failing. This is the prompt cache: a finished request's sequence is kept with its tokens
   * in the KV cache, and a later request whose prompt starts the same way (a system prompt,
   * a persona, the earlier turns of a conversation) gets that sequence, so LlamaChat and
   * LlamaCompletion evaluate only the tokens after the shared prefix (they align the
   * sequence's state to the new prompt themselves). Otherwise the least busy lane serves it.
   * A sequence whose request failed is disposed: its state may be half written.
   */
  async withSequence<T>(fn: (sequence: LlamaContextSequence) => Promise<T>, signal?: AbortSignal, promptTokens?: readonly Token[]): Promise<T> {
    const release = await this.#permits.acquire(signal);
    try {
      const { lane, sequence: kept } = this.#choose(promptTokens);
      lane.active++;
      try {
        const sequence = kept ?? (await this.#sequenceIn(lane, signal));
        let ok = false;
        try {
          const result = await fn(sequence);
          ok = true;
          return result;
        } finally {
          if (ok && !sequence.disposed) lane.idle.push(sequence);
          else sequence.dispose();
        }
      } finally {
        lane.active--;
      }
    } finally {
      release();
    }
  }

  /** Prompt tokens reusable from kept sequences now: the longest cached prefix (tests, metrics). */
  cachedPrefixLength(promptTokens: readonly Token[]): number {
    let best = 0;
    for (const lane of this.#lanes) for (const sequence of lane.idle) best = Math.max(best, sharedPrefix(sequence, promptTokens));
    return best;
  }

  /** The kept sequence with the longest useful cached prefix, else the least busy lane. */
  #choose(promptTokens: readonly Token[] | undefined): { lane: Lane; sequence?: LlamaContextSequence } {
    if (promptTokens !== undefined && promptTokens.length > 0) {
      let best: { lane: Lane; index: number; length: number } | undefined;
      for (const lane of this.#lanes) {
        lane.idle.forEach((sequence, index) => {
          const length = sharedPrefix(sequence, promptTokens);
          if (length >= MIN_REUSED_TOKENS && length > (best?.length ?? 0)) best = { lane, index, length };
        });
      }
      if (best !== undefined) return { lane: best.lane, sequence: best.lane.idle.splice(best.index, 1)[0]! };
    }
    return { lane: this.#leastBusy() };
  }

  /** A fresh sequence of the lane, or, when every one is kept, its least recently used kept one. */
  async #sequenceIn(lane: Lane, signal: AbortSignal | undefined): Promise<LlamaContextSequence> {
    if (lane.context.sequencesLeft > 0 || lane.idle.length === 0) return takeSequence(lane.context, signal);
    return lane.idle.shift()!;
  }

  #leastBusy(): Lane {
    let best = this.#lanes[0]!;
    for (const lane of this.#lanes) if (lane.active < best.active) best = lane;
    return best;
  }

  async dispose(): Promise<void> {
    for (const lane of this.#lanes) {
      for (const sequence of lane.idle.splice(0)) sequence.dispose();
      await lane.context.dispose();
    }
  }
}

/** How many leading tokens of `tokens` the sequence's KV cache already holds. */
function sharedPrefix(sequence: LlamaContextSequence, tokens: readonly Token[]): number {
  if (sequence.disposed) return 0;
  return sequence.compareContextTokens(tokens as Token[]).firstDifferentIndex;
}
