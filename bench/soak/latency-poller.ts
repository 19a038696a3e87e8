import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type PollPhase = 'idle' | 'loaded' | 'drain';

export interface PollerResult {
  /** One per answered poll: when it was sent (Unix seconds, sub-millisecond) and how long it took. */
  samples: { phase: PollPhase; t: number; ms: number }[];
  /** t: Unix seconds when the poll was sent. */
  errors: { phase: PollPhase; t: number; message: string }[];
  /** Ticks that found every connection busy and were folded into a later request (their samples are timed from the tick). */
  skippedTicks: number;
  maxOutstanding: number;
}

export type PollerMessage = { type: 'ready' } | { type: 'phase'; phase: PollPhase } | { type: 'stop' } | { type: 'result'; result: PollerResult };

export interface LatencyPoller {
  setPhase(phase: PollPhase): void;
  /** Stops polling, waits for the unanswered polls, and returns every sample. */
  stop(): Promise<PollerResult>;
}

/** Forks the poller (latency-poller-child.ts) against `url` with one tenant's key. */
export async function startLatencyPoller(url: string, token: string, intervalMs: number): Promise<LatencyPoller> {
  const child = fork(fileURLToPath(new URL('./latency-poller-child.ts', import.meta.url)), [url, token, String(intervalMs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: ((message: PollerMessage) => void)[] = [];
  child.on('message', (message: PollerMessage) => messages.shift()?.(message));
  const next = () =>
    new Promise<PollerMessage>((resolve, reject) => {
      messages.push(resolve);
      child.once('exit', (code) => reject(new Error(`the latency poller exited (${code}) before answering`)));
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`latency poller: expected ready, got ${ready.type}`);
  return {
    setPhase(phase) {
      child.send({ type: 'phase', phase } satisfies PollerMessage);
    },
    async stop() {
      const answer = next();
      child.send({ type: 'stop' } satisfies PollerMessage);
      const message = await answer;
      if (message.type !== 'result') throw new Error(`latency poller: expected result, got ${message.type}`);
      return message.result;
    },
  };
}
