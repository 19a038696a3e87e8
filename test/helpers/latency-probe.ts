import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/**
 * Polls `url` from its own thread (as an outside client would: a stall of the server's event
 * loop shows in the poll that waited for it) every `everyMs` until stopped; the latencies in ms.
 */
const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const latencies = [];
let stop = false;
parentPort.on('message', () => (stop = true));
(async () => {
  while (!stop) {
    const t = performance.now();
    try {
      await (await fetch(workerData.url)).arrayBuffer();
    } catch {
      // A keep-alive socket the stalled server closed: the retry's time counts too.
      await (await fetch(workerData.url)).arrayBuffer();
    }
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, workerData.everyMs));
  }
  parentPort.postMessage(latencies);
})();
`;

export interface LatencyProbe<T> {
  result: T;
  /** Each poll's round trip, ms. */
  latencies: number[];
  /** This thread's event-loop delay while `work` ran, ms. */
  loopDelayMaxMs: number;
}

/** Runs `work` while polling `url` from another thread and sampling this thread's event-loop delay. */
export async function probeLatencyDuring<T>(url: string, everyMs: number, work: () => Promise<T>): Promise<LatencyProbe<T>> {
  const poller = new Worker(POLLER, { eval: true, workerData: { url, everyMs } });
  const latencies = new Promise<number[]>((resolve, reject) => {
    poller.once('message', resolve);
    poller.once('error', reject);
  });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const result = await work();
    delay.disable();
    poller.postMessage('stop');
    return { result, latencies: await latencies, loopDelayMaxMs: delay.max / 1e6 };
  } finally {
    delay.disable();
    await poller.terminate();
  }
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
