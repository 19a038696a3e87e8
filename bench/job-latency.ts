/**
 * Added latency of a trivial one-step job over HTTP (POST /api/jobs, then its SSE stream read
 * to the `result` event) vs the same job in-process (shenbi.run), on the embedded default
 * (SQLite, blobs on disk). Rounds alternate which of the two goes first, so drift hits both.
 * Used by bench/jobs.ts (and bench/server.ts's part 3 measures the same thing).
 * Alone: `node --import tsx bench/job-latency.ts [jobs]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { StepDefinition } from '../src/core/step.ts';
import { startServer } from '../src/server/start.ts';
import { Shenbi } from '../src/shenbi.ts';
import { printTable } from './print-table.ts';
import { alternate } from './alternate.ts';

/** Does nothing: what is measured is the job and transport overhead around it. */
export const noopStep: StepDefinition = {
  type: 'bench.noop',
  title: 'No-op',
  version: '1',
  cacheable: false,
  inputs: { n: { type: 'number' } },
  outputs: { n: { type: 'number' } },
  async run(_ctx, inputs) {
    return { n: Number(inputs.n) };
  },
};

export const noopPipeline = {
  id: 'bench-noop',
  title: 'No-op',
  inputs: { n: { type: 'number' as const } },
  steps: [{ id: 'noop', uses: 'bench.noop', with: { n: { $from: 'inputs.n' } } }],
  outputs: { n: { $from: 'noop.n' } },
};

export interface JobLatency {
  /** ms per job, shenbi.run in-process. */
  local: number[];
  /** ms per job, POST + SSE to the result over HTTP. */
  http: number[];
}

/** `jobs` rounds of one in-process and one HTTP job (after 20 warm-up rounds), alternating which goes first. */
export async function measureJobLatency(shenbi: Shenbi, url: string, jobs: number): Promise<JobLatency> {
  let n = 0;
  const runLocal = async () => {
    const start = performance.now();
    const job = await shenbi.run(noopPipeline, { n: n++ });
    if (job.status !== 'completed') throw new Error(`in-process job ${job.id}: ${job.status}`);
    return performance.now() - start;
  };
  const runHttp = async () => {
    const start = performance.now();
    const response = await fetch(`${url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: noopPipeline, input: { n: n++ } }) });
    const { id } = (await response.json()) as { id: string };
    const text = await (await fetch(`${url}/api/jobs/${id}/events`)).text();
    if (!text.includes('event: result')) throw new Error(`no result for ${id}: ${text.slice(0, 300)}`);
    return performance.now() - start;
  };
  for (let i = 0; i < 20; i++) {
    await runLocal();
    await runHttp();
  }
  const { first: local, second: http } = await alternate(jobs, runLocal, runHttp);
  return { local, http };
}

export const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

/** Table rows: p50 and p99 of each path, and the added latency with the #23 target (p99 ≤ 10 ms). */
export function latencyRows(result: JobLatency): Array<[string, string, string, string]> {
  const { local, http } = result;
  const addedP50 = percentile(http, 50) - percentile(local, 50);
  const addedP99 = percentile(http, 99) - percentile(local, 99);
  const f = (x: number) => `${x.toFixed(2)} ms`;
  return [
    [`trivial job in-process (shenbi.run), p50 / p99 of ${local.length}`, `${f(percentile(local, 50))} / ${f(percentile(local, 99))}`, '', ''],
    [`same over HTTP (POST + SSE to result), p50 / p99 of ${http.length}`, `${f(percentile(http, 50))} / ${f(percentile(http, 99))}`, '', ''],
    ['added latency over HTTP, p50', f(addedP50), '', ''],
    ['added latency over HTTP, p99', f(addedP99), '≤ 10 ms', addedP99 <= 10 ? 'pass' : 'FAIL'],
  ];
}

/** A Shenbi on a fresh home (SQLite, blobs on disk) with the no-op step, served on 127.0.0.1. */
export async function withServedShenbi<T>(body: (shenbi: Shenbi, url: string) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-bench-latency-'));
  const shenbi = await Shenbi.open({ overrides: { home }, steps: [noopStep] });
  const running = await startServer(shenbi, { port: 0 });
  try {
    return await body(shenbi, running.url);
  } finally {
    await running.close();
    await shenbi.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const jobs = Number(process.argv[2] ?? 500);
  const result = await withServedShenbi((shenbi, url) => measureJobLatency(shenbi, url, jobs));
  printTable(['metric', 'measured', 'target', 'result'], latencyRows(result));
  if (latencyRows(result).some((row) => row[3] === 'FAIL')) process.exitCode = 1;
}
