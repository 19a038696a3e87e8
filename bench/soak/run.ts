import { setTimeout as sleep } from 'node:timers/promises';
import { SoakHttp } from './http.ts';
import { startLatencyPoller, type PollerResult } from './latency-poller.ts';
import { SoakLoad } from './load.ts';
import type { SoakOptions } from './options.ts';
import { canSampleProcesses, nowSeconds, sampleProcess, type ProcessSample } from './process-stats.ts';
import { SoakRecorder } from './recorder.ts';
import { buildReport, type SoakReport } from './report.ts';
import { prepareHome, removeHome, startServerProcess } from './server-process.ts';

/** Phase boundaries, Unix seconds. */
export interface SoakTimeline {
  loadStart: number;
  loadEnd: number;
  drainEnd: number;
}

export interface TimedSample extends ProcessSample {
  jobsInFlight: number;
}

/** How long the server gets to exit after SIGTERM, with nothing in flight, before it counts as an error. */
const STOP_GRACE_MS = 20_000;

/** Runs one soak (see bench/soak.ts) and returns its report; `log` gets progress lines. */
export async function runSoak(options: SoakOptions, log: (line: string) => void = () => {}): Promise<SoakReport> {
  const recorder = new SoakRecorder();
  const setupStart = performance.now();
  const { home, keys } = await prepareHome();
  const serverStart = performance.now();
  const server = await startServerProcess(home).catch((error: unknown) => {
    removeHome(home);
    throw error;
  });
  // Ctrl-C (or a kill) mid-run: take the server and its temp home down too.
  const interrupted = (signal: NodeJS.Signals) => {
    void server.stop(STOP_GRACE_MS).finally(() => {
      if (!options.keepHome) removeHome(home);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const startupMs = performance.now() - serverStart;
  log(`server ${server.url} (pid ${server.pid}) up in ${(startupMs / 1000).toFixed(1)} s; setup ${((serverStart - setupStart) / 1000).toFixed(1)} s; home ${home}`);
  const http = new SoakHttp(server.url, recorder);
  const load = new SoakLoad(http, recorder, keys, { timeoutMs: options.jobTimeoutSeconds * 1000, graceMs: options.endGraceSeconds * 1000 });
  const samples: TimedSample[] = [];
  const sampling = canSampleProcesses(server.pid);
  let serverDied = false;
  const sampler = setInterval(() => {
    if (server.exit !== undefined && !serverDied) {
      serverDied = true;
      recorder.error('server', `the server process exited during the soak (${server.exit.code ?? server.exit.signal}); stderr:\n${server.stderrTail().slice(-2000)}`);
      load.stop();
    }
    if (sampling && !serverDied) samples.push({ ...sampleProcess(server.pid), jobsInFlight: load.inFlight });
  }, options.rssSampleSeconds * 1000);
  let poller: PollerResult | undefined;
  let timeline: SoakTimeline | undefined;
  let stopped: Awaited<ReturnType<typeof server.stop>> | undefined;
  try {
    log('warm-up: one chat, one speech job');
    await load.warmUp(['speech']);
    const latency = await startLatencyPoller(server.url, keys[0].token, options.pollIntervalMs);
    latency.setPhase('idle');
    log(`idle baseline: /v1/models every ${options.pollIntervalMs} ms for ${options.idleSeconds} s`);
    await sleep(options.idleSeconds * 1000);
    const loadStart = nowSeconds();
    latency.setPhase('loaded');
    log(`loaded: ${options.concurrency} jobs in flight, ${options.chats} chat clients, uploads and SSE watchers for ${options.seconds} s`);
    load.start({ concurrency: options.concurrency, chats: options.chats });
    await waitUnless(options.seconds * 1000, () => serverDied);
    const loadEnd = nowSeconds();
    latency.setPhase('drain');
    log(`drain: up to ${options.drainSeconds} s for ${load.inFlight} jobs in flight, then cancel; streams get ${options.endGraceSeconds} s more`);
    await load.finish(options.drainSeconds * 1000, options.endGraceSeconds * 1000);
    timeline = { loadStart, loadEnd, drainEnd: nowSeconds() };
    poller = await latency.stop();
    recorder.counts.requests['GET /v1/models (poller)'] = { '200': poller.samples.length, ...(poller.errors.length > 0 ? { failed: poller.errors.length } : {}) };
    for (const e of poller.errors) recorder.error(`GET /v1/models (poller, ${e.phase})`, e.message, e.t);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    clearInterval(sampler);
    stopped = await server.stop(STOP_GRACE_MS);
    if (options.keepHome) log(`kept ${home}`);
    else removeHome(home);
  }
  if (!serverDied && (stopped.killed || stopped.code !== 0)) {
    recorder.error('server', `after SIGTERM with nothing in flight it ${stopped.killed ? `did not exit within ${STOP_GRACE_MS} ms (killed)` : `exited ${stopped.code ?? stopped.signal}`}; stderr:\n${server.stderrTail().slice(-2000)}`);
  }
  // Reached only when the try block finished, so both were set.
  return buildReport({ options, recorder, poller: poller!, samples, timeline: timeline!, startupMs, stopMs: stopped.ms, sampling });
}

async function waitUnless(ms: number, abort: () => boolean): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end && !abort()) await sleep(Math.min(500, end - performance.now()));
}
