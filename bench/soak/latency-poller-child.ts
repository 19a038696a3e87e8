/**
 * The `/v1/models` poller, forked by the soak so that its timings do not share an event loop
 * with the load generator's SSE parsing and uploads. Open loop with a correction for
 * coordinated omission (as wrk2 does): every interval is a scheduled poll, and its latency is
 * measured from when it was scheduled, not from when it could be sent. At most
 * MAX_OUTSTANDING polls are on the wire (the server caps connections per address); ticks that
 * fall while all are out are folded into the next request sent, and each counts as one sample
 * timed from its own tick. So a server that stalls for 4 s shows ~80 slow samples, not one.
 *
 * Protocol (IPC): argv = [url, token, intervalMs]. Sends { type: 'ready' }. Receives
 * { type: 'phase', phase } (starts or relabels polling) and { type: 'stop' }, answered with
 * { type: 'result', … } (see PollerResult), after which it exits.
 */
import type { PollerMessage, PollerResult, PollPhase } from './latency-poller.ts';

const [url, token, intervalArg] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
const REQUEST_TIMEOUT_MS = 60_000;
const MAX_OUTSTANDING = 8;

const result: PollerResult = { samples: [], errors: [], skippedTicks: 0, maxOutstanding: 0 };
let phase: PollPhase | undefined;
let outstanding = 0;
let timer: NodeJS.Timeout | undefined;
/** Scheduled times (performance.now()) of ticks that found every slot taken. */
let waiting: number[] = [];
const pending = new Set<Promise<void>>();

/** One request standing for the ticks scheduled at `ticks`. */
async function pollOnce(label: PollPhase, ticks: number[]): Promise<void> {
  const t = (performance.timeOrigin + performance.now()) / 1000;
  try {
    const response = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await response.text();
    const done = performance.now();
    if (response.status !== 200 || !body.includes('"object":"list"')) result.errors.push({ phase: label, t, message: `status ${response.status}: ${body.slice(0, 200)}` });
    else for (const scheduled of ticks) result.samples.push({ phase: label, t: (performance.timeOrigin + scheduled) / 1000, ms: done - scheduled });
  } catch (error) {
    result.errors.push({ phase: label, t, message: error instanceof Error ? `${error.name}: ${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error) });
  }
}

function send(label: PollPhase, ticks: number[]): void {
  outstanding++;
  result.maxOutstanding = Math.max(result.maxOutstanding, outstanding);
  const request = pollOnce(label, ticks).finally(() => {
    outstanding--;
    pending.delete(request);
    if (waiting.length > 0 && phase !== undefined) {
      const folded = waiting;
      waiting = [];
      send(phase, folded);
    }
  });
  pending.add(request);
}

function tick(): void {
  if (phase === undefined) return;
  const scheduled = performance.now();
  if (outstanding >= MAX_OUTSTANDING) {
    result.skippedTicks++;
    waiting.push(scheduled);
    return;
  }
  send(phase, [scheduled]);
}

process.on('message', (message: PollerMessage) => {
  if (message.type === 'phase') {
    phase = message.phase;
    timer ??= setInterval(tick, intervalMs);
  } else if (message.type === 'stop') {
    clearInterval(timer);
    phase = undefined;
    waiting = [];
    void waitForPending().then(() => {
      process.send!({ type: 'result', result } satisfies PollerMessage, () => process.exit(0));
    });
  }
});
// The soak died: nothing will ask for the samples.
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' } satisfies PollerMessage);

async function waitForPending(): Promise<void> {
  while (pending.size > 0) await Promise.all(pending);
}
