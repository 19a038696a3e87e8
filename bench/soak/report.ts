import { availableParallelism } from 'node:os';
import type { PollerResult } from './latency-poller.ts';
import type { SoakOptions } from './options.ts';
import type { SoakCounts, SoakRecorder, UnexpectedError } from './recorder.ts';
import type { SoakTimeline, TimedSample } from './run.ts';
import { percentile, slope, summarize, type LatencySummary } from './stats.ts';

export interface SoakCheck {
  name: string;
  result: 'PASS' | 'FAIL' | 'n/a';
  detail: string;
  /** Whether a FAIL makes the run exit non-zero (latency is a target reported, not a gate). */
  gatesExit: boolean;
}

export interface SeriesRow {
  /** Seconds from the start of the loaded phase (window start). */
  t: number;
  phase: 'loaded' | 'drain';
  rssMb: number;
  treeRssMb: number;
  jobsInFlight: number;
  /** CPU of the server's process tree over the window, in cores. */
  cpuCores: number;
  modelsP99Ms: number;
}

export interface SoakReport {
  node: string;
  cores: number;
  options: SoakOptions;
  server: { startupMs: number; stopMs: number };
  latency: { idle: LatencySummary; loaded: LatencySummary; drain: LatencySummary; ratioP50: number; ratioP99: number; skippedTicks: number; maxOutstanding: number; errors: number };
  series: SeriesRow[];
  rss: { sampled: boolean; idleMb: number; loadedMaxMb: number; endMb: number; warmupSeconds: number; windowSeconds: number; slopeMbPerMin: number; judged: boolean };
  cpu: { loadedCores: number; jobsInFlightMean: number };
  counts: Omit<SoakCounts, 'jobs'> & { jobs: Omit<SoakCounts['jobs'], 'byKind'> & { byKind: Record<string, { submitted: number; completed: number; p50Seconds: number; p99Seconds: number }> } };
  /** `at`: seconds from the start of the load (negative: warm-up or idle baseline). */
  unexpected: { total: number; listed: UnexpectedError[] };
  checks: SoakCheck[];
  ok: boolean;
}

interface ReportInput {
  options: SoakOptions;
  recorder: SoakRecorder;
  poller: PollerResult;
  samples: TimedSample[];
  timeline: SoakTimeline;
  startupMs: number;
  stopMs: number;
  sampling: boolean;
}

/** Series windows: the shortest of these that gives at most ~24 rows. */
const STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

export function buildReport(input: ReportInput): SoakReport {
  const { options, recorder, poller, samples, timeline } = input;
  const latencyOf = (phase: string) => poller.samples.filter((s) => s.phase === phase).map((s) => s.ms);
  const idle = summarize(latencyOf('idle'));
  const loaded = summarize(latencyOf('loaded'));
  const drain = summarize(latencyOf('drain'));

  const loadedSamples = samples.filter((s) => s.t >= timeline.loadStart && s.t <= timeline.loadEnd);
  const cpuOver = (from: TimedSample | undefined, to: TimedSample | undefined) => (from === undefined || to === undefined || to.t <= from.t ? Number.NaN : (to.cpuSeconds - from.cpuSeconds) / (to.t - from.t));
  const before = (t: number) => samples.filter((s) => s.t <= t).at(-1);

  const total = timeline.drainEnd - timeline.loadStart;
  const step = Math.max(options.rssSampleSeconds, STEPS_S.find((s) => total / s <= 24) ?? 600);
  const series: SeriesRow[] = [];
  for (let start = timeline.loadStart; start < timeline.drainEnd; start += step) {
    const end = Math.min(start + step, timeline.drainEnd);
    const inWindow = samples.filter((s) => s.t > start && s.t <= end);
    const last = inWindow.at(-1);
    if (last === undefined) continue;
    const polls = poller.samples.filter((s) => s.t >= start && s.t < end).map((s) => s.ms);
    series.push({
      t: Math.round(start - timeline.loadStart),
      phase: start < timeline.loadEnd ? 'loaded' : 'drain',
      rssMb: last.rssMb,
      treeRssMb: last.treeRssMb,
      jobsInFlight: inWindow.reduce((sum, s) => sum + s.jobsInFlight, 0) / inWindow.length,
      cpuCores: cpuOver(before(start) ?? inWindow[0], last),
      modelsP99Ms: percentile(polls, 99),
    });
  }

  const warmupEnd = timeline.loadStart + options.warmupSeconds;
  const window = loadedSamples.filter((s) => s.t >= warmupEnd);
  const windowSeconds = window.length < 2 ? 0 : window.at(-1)!.t - window[0]!.t;
  const slopeMbPerMin = slope(window.map((s) => ({ x: s.t / 60, y: s.rssMb })));
  const judged = input.sampling && windowSeconds >= options.minRssWindowSeconds && Number.isFinite(slopeMbPerMin);
  const rss = {
    sampled: input.sampling,
    idleMb: before(timeline.loadStart)?.rssMb ?? Number.NaN,
    loadedMaxMb: loadedSamples.length === 0 ? Number.NaN : Math.max(...loadedSamples.map((s) => s.rssMb)),
    endMb: samples.at(-1)?.rssMb ?? Number.NaN,
    warmupSeconds: options.warmupSeconds,
    windowSeconds,
    slopeMbPerMin,
    judged,
  };

  const { jobs, sse } = recorder.counts;
  const byKind = Object.fromEntries(
    Object.entries(jobs.byKind).map(([kind, k]) => [kind, { submitted: k.submitted, completed: k.completed, p50Seconds: percentile(k.durationsMs, 50) / 1000, p99Seconds: percentile(k.durationsMs, 99) / 1000 }]),
  );
  const badStreams = sse.endedEarly + sse.hung;
  const checks: SoakCheck[] = [
    { name: 'no unexpected errors', result: recorder.unexpectedTotal === 0 ? 'PASS' : 'FAIL', detail: `${recorder.unexpectedTotal} unexpected`, gatesExit: true },
    {
      name: 'every job SSE stream ended with result or error',
      result: badStreams === 0 ? 'PASS' : 'FAIL',
      detail: `${sse.endedProperly} of ${sse.opened} ended properly, ${sse.endedEarly} early, ${sse.hung} hung`,
      gatesExit: true,
    },
    {
      name: `server RSS flat after warm-up (slope ≤ ${options.maxRssSlopeMbPerMin} MB/min)`,
      result: !judged ? 'n/a' : slopeMbPerMin <= options.maxRssSlopeMbPerMin ? 'PASS' : 'FAIL',
      detail: !input.sampling
        ? 'no /proc here'
        : judged
          ? `${signed(slopeMbPerMin)} MB/min over ${windowSeconds.toFixed(0)} s after ${options.warmupSeconds.toFixed(0)} s of warm-up`
          : `window ${windowSeconds.toFixed(0)} s < ${options.minRssWindowSeconds} s: too short to judge${Number.isFinite(slopeMbPerMin) ? ` (${signed(slopeMbPerMin)} MB/min)` : ''}`,
      gatesExit: true,
    },
    {
      name: `/v1/models p99 under load ≤ ${options.targetP99Ms} ms`,
      result: loaded.count === 0 ? 'n/a' : loaded.p99 <= options.targetP99Ms ? 'PASS' : 'FAIL',
      detail: `p99 ${ms(loaded.p99)} under load, ${ms(idle.p99)} idle (target; not part of the exit status)`,
      gatesExit: false,
    },
  ];
  return {
    node: process.version,
    cores: availableParallelism(),
    options,
    server: { startupMs: input.startupMs, stopMs: input.stopMs },
    latency: { idle, loaded, drain, ratioP50: loaded.p50 / idle.p50, ratioP99: loaded.p99 / idle.p99, skippedTicks: poller.skippedTicks, maxOutstanding: poller.maxOutstanding, errors: poller.errors.length },
    series,
    rss,
    cpu: { loadedCores: cpuOver(before(timeline.loadStart), loadedSamples.at(-1)), jobsInFlightMean: loadedSamples.reduce((sum, s) => sum + s.jobsInFlight, 0) / Math.max(1, loadedSamples.length) },
    counts: { ...recorder.counts, jobs: { ...jobs, byKind } },
    unexpected: { total: recorder.unexpectedTotal, listed: recorder.unexpected.map((e) => ({ ...e, at: e.at - timeline.loadStart })).sort((a, b) => a.at - b.at) },
    checks,
    ok: checks.every((c) => !c.gatesExit || c.result !== 'FAIL'),
  };
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en')} ms` : '-';
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}

function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The human-readable report. */
export function formatReport(r: SoakReport): string {
  const o = r.options;
  const out: string[] = [];
  out.push(
    `Soak: ${fixed(o.seconds / 60, 1)} min loaded after ${o.idleSeconds} s idle; ${o.concurrency} jobs in flight, ${o.chats} chat clients, uploads, an SSE watcher per job; ` +
      `Node ${r.node}, ${r.cores} cores; server up in ${fixed(r.server.startupMs / 1000)} s, stopped in ${fixed(r.server.stopMs / 1000)} s.`,
  );
  out.push('', `/v1/models latency (a poll scheduled every ${o.pollIntervalMs} ms from a separate process, timed from its schedule)`);
  const row = (name: string, s: LatencySummary) => [name, String(s.count), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max)];
  out.push(
    table(
      ['phase', 'samples', 'p50', 'p90', 'p99', 'max'],
      [row('idle', r.latency.idle), row('under load', r.latency.loaded), row('drain', r.latency.drain), ['load / idle', '', `${fixed(r.latency.ratioP50)}×`, '', `${fixed(r.latency.ratioP99)}×`, '']],
    ),
  );
  if (r.latency.skippedTicks > 0) out.push(`(${r.latency.skippedTicks} ticks found ${r.latency.maxOutstanding} polls unanswered and rode on a later request, timed from their own tick)`);
  out.push('', `Server CPU under load: ${fixed(r.cpu.loadedCores, 2)} of ${r.cores} cores (process tree); jobs in flight: mean ${fixed(r.cpu.jobsInFlightMean)}.`);
  if (r.rss.sampled) {
    out.push('', 'Over time (t from the start of the load; RSS at the window end; CPU and p99 over the window)');
    out.push(
      table(
        ['t (s)', 'phase', 'RSS MB', 'tree RSS MB', 'jobs in flight', 'CPU cores', '/v1/models p99'],
        r.series.map((s) => [String(s.t), s.phase, fixed(s.rssMb, 0), fixed(s.treeRssMb, 0), fixed(s.jobsInFlight), fixed(s.cpuCores, 2), ms(s.modelsP99Ms)]),
      ),
    );
    out.push(`RSS: ${fixed(r.rss.idleMb, 0)} MB idle, max ${fixed(r.rss.loadedMaxMb, 0)} MB under load, ${fixed(r.rss.endMb, 0)} MB at the end; after ${fixed(r.rss.warmupSeconds, 0)} s warm-up: ${signed(r.rss.slopeMbPerMin)} MB/min over ${fixed(r.rss.windowSeconds, 0)} s.`);
  }
  const { jobs, sse, chats, uploads } = r.counts;
  out.push('', 'Jobs (duration: submit to final SSE event)');
  out.push(
    table(
      ['kind', 'submitted', 'completed', 'p50', 'p99'],
      Object.entries(jobs.byKind).map(([kind, k]) => [kind, String(k.submitted), String(k.completed), `${fixed(k.p50Seconds)} s`, `${fixed(k.p99Seconds)} s`]),
    ),
  );
  const codes = Object.entries(jobs.failureCodes).map(([code, n]) => `${code} ×${n}`).join(', ');
  out.push(`submitted ${jobs.submitted}, completed ${jobs.completed}, failed ${jobs.failed}${codes ? ` (${codes})` : ''}, cancelled by the soak ${jobs.cancelledBySoak}.`);
  out.push(`SSE: ${sse.opened} streams, ${sse.endedProperly} ended with result/error, ${sse.endedEarly} early, ${sse.hung} hung; ${sse.events} events.`);
  out.push(`Chats: ${chats.completed} (${chats.streamed} streamed), ${chats.tokens} tokens. Uploads: ${uploads.count} (${fixed(uploads.bytes / 1e6)} MB). Artifacts read back: ${fixed(r.counts.artifactBytes / 1e6)} MB.`);
  out.push('', 'Requests by route and status');
  const statuses = [...new Set(Object.values(r.counts.requests).flatMap((s) => Object.keys(s)))].sort();
  out.push(table(['route', ...statuses], Object.entries(r.counts.requests).sort(([a], [b]) => a.localeCompare(b)).map(([route, s]) => [route, ...statuses.map((status) => String(s[status] ?? ''))])));
  out.push('', `Unexpected errors: ${r.unexpected.total}${r.unexpected.total > r.unexpected.listed.length ? ` (the first ${r.unexpected.listed.length} below)` : ''}`);
  for (const g of groupErrors(r.unexpected.listed)) out.push(`  ${g.count > 1 ? `×${g.count} ` : ''}[t ${fixed(g.first, 0)} s${g.count > 1 ? ` to ${fixed(g.last, 0)} s` : ''}] ${g.where}: ${g.message.replaceAll('\n', '\n    ')}`);
  out.push('', 'Checks');
  for (const c of r.checks) out.push(`${c.result.padEnd(4)}  ${c.name}: ${c.detail}`);
  out.push(r.ok ? 'OK' : 'FAILED (see the checks above)');
  return out.join('\n');
}

/** Errors of one route with the same message once job ids and numbers are taken out: listed once with a count. */
function groupErrors(errors: UnexpectedError[]): { where: string; message: string; count: number; first: number; last: number }[] {
  const groups = new Map<string, { where: string; message: string; count: number; first: number; last: number }>();
  const shape = (text: string) => text.replace(/\b(job|art|upl)_[0-9a-z]+/g, '$1_…').replace(/\d+/g, 'N');
  for (const e of errors) {
    const key = `${shape(e.where)}\n${shape(e.message)}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { where: e.where, message: e.message, count: 1, first: e.at, last: e.at });
    else {
      group.count++;
      group.last = e.at;
    }
  }
  return [...groups.values()];
}
