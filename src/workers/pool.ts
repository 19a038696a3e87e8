/**
 * One pool of worker threads per process for CPU-bound engine work (DSP, MIDI rendering,
 * alignment), so the event loop that serves the API never runs it. Started on first use,
 * with one thread per core; a thread without a task holds no reference on the process and
 * exits after IDLE_MS; a crashed thread is replaced on the next task (piscina does both).
 * Shenbi instances hold the pool open while they live: the last one to close destroys it.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

const ENTRY = new URL('./entry.mjs', import.meta.url).href;
/** Long enough that a busy server keeps its threads (and their loaded SoundFonts) warm. */
const IDLE_MS = 5 * 60_000;
/**
 * Worker threads run at a lower priority than the main thread (Linux nice is per thread),
 * so when every core is busy with jobs the event loop still gets a core when it wakes.
 */
const NICE_INCREMENT = 5;

let pool: Piscina | undefined;
let holders = 0;

export function workerPool(): Piscina {
  if (pool !== undefined) return pool;
  const created = new Piscina({
    filename: ENTRY,
    minThreads: 0,
    maxThreads: availableParallelism(),
    idleTimeout: IDLE_MS,
    // Plain message wake-ups: an idle worker keeps a normal event loop instead of blocking in Atomics.wait.
    atomics: 'disabled',
    niceIncrement: NICE_INCREMENT,
  });
  // A thread that fails with no task on it (its task already answered) must not take the process down.
  created.on('error', (error: unknown) => process.emitWarning(`a CPU worker thread failed: ${error instanceof Error ? error.message : String(error)}`));
  pool = created;
  return created;
}

/** The number of threads the pool runs at most (one per core). */
export function workerPoolSize(): number {
  return availableParallelism();
}

/** Holds the pool open; the returned function lets go, and the last holder's release destroys it. */
export function retainWorkerPool(): () => Promise<void> {
  holders++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    holders--;
    if (holders === 0) await closeWorkerPool();
  };
}

/** Terminates every thread now; tasks still running fail with ENGINE_FAILED. The next task starts a new pool. */
export async function closeWorkerPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.destroy();
}
