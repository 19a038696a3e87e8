/**
 * Scale-out benchmark: `node --import tsx bench/scale.ts` (npm run bench:scale).
 * On real redis-server, PostgreSQL and s3rver on 127.0.0.1 (the test helpers start them) it
 * measures, with `shenbi serve --no-worker` and `shenbi worker` processes:
 *  (a) throughput of I/O-bound jobs (a text job against a fake OpenAI-compatible provider on
 *      127.0.0.1 that answers after a fixed delay) with 1, 2 and 3 workers;
 *  (b) submit→done latency of a trivial job through the distributed path vs an embedded
 *      `shenbi serve` (same PostgreSQL and S3, no queue) and vs the default embedded server
 *      (SQLite, blobs on disk);
 *  (c) redelivery: SIGKILL of the worker holding a job → the job's step starts again elsewhere;
 *  (d) BullMQ's own throughput (add + process empty jobs) on the same Redis, as the anchor;
 *  (e) jobs/s of one worker per CPU lane (capacity model, docs/deploy.md).
 * Prints a table with targets and pass/fail.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { startCluster, type Cluster, type ClusterProcess } from '../test/helpers/cluster.ts';
import { openAIChat, openAIStream, startFakeServer } from '../test/helpers/fake-providers.ts';
import { createFreshDatabase } from '../test/helpers/postgres.ts';
import { startServeProcess } from '../test/helpers/serve-process.ts';
import { SseReader } from '../test/helpers/sse-reader.ts';
import { printTable } from './print-table.ts';

/** How long the fake provider takes to answer: the I/O a cloud job waits on. */
const PROVIDER_DELAY_MS = Number(process.env.BENCH_PROVIDER_DELAY_MS ?? 1_000);
/**
 * Text jobs each worker runs at once in the throughput runs. Kept low enough that the whole
 * cluster on a 2-core host stays I/O-bound (at 500 ms × 4 per worker it was CPU-bound at
 * ~15 jobs/s there: PostgreSQL, s3rver and every shenbi process share the two cores).
 */
const TEXT_CONCURRENCY = Number(process.env.BENCH_TEXT_CONCURRENCY ?? 2);
const IO_JOBS = 48;
const LATENCY_JOBS = Number(process.env.BENCH_LATENCY_JOBS ?? 200);
/** BENCH_SCALE_ONLY=latency: part (b) only (a minute instead of several). */
const LATENCY_ONLY = process.env.BENCH_SCALE_ONLY === 'latency';
const BULLMQ_JOBS = 5_000;
/** The prompt marker that makes the fake provider hold its answer long enough to kill its caller. */
const SLOW = 'slow-redelivery';

type Row = [string, string, string, string];

async function main(): Promise<void> {
  const provider = await startFakeServer(async (req, res) => {
    const slow = JSON.stringify(req.body).includes(SLOW);
    await new Promise((resolve) => setTimeout(resolve, slow ? 20_000 : PROVIDER_DELAY_MS));
    if (res.destroyed) return;
    const model = String(req.body.model ?? 'fake');
    if (req.body.stream === true) await openAIStream(res, model, ['A short answer ', 'from the fake provider.']);
    else openAIChat(res, model, 'A short answer from the fake provider.');
  });
  const config = { providers: [{ name: 'fake', kind: 'openai-compatible', baseURL: `${provider.baseURL}/v1` }] };
  const cluster = await startCluster({ apis: 1, workers: 1, concurrency: { text: TEXT_CONCURRENCY }, config });
  const rows: Row[] = [];
  // Each row is printed as measured too (stderr), so a later failure keeps the earlier figures.
  const push = rows.push.bind(rows);
  rows.push = (...added: Row[]) => {
    for (const row of added) process.stderr.write(`${row.join(' | ')}\n`);
    return push(...added);
  };
  const db = new pg.Client({ connectionString: cluster.databaseUrl });
  await db.connect();
  try {
    const api = cluster.apis[0]!;
    // (b) first, on the quiet cluster with its one worker: the path's own cost. Measured after
    // the other parts, it also carried the idle second and third workers competing for this
    // host's two cores (7.5 ms instead of 4–5 ms in session 11), which separate hosts would not.
    rows.push(...(await latencyRows(cluster, api)));
    if (LATENCY_ONLY) {
      printTable(['metric', 'measured', 'target', 'result'], rows);
      if (rows.some((row) => row[3] === 'FAIL')) process.exitCode = 1;
      return;
    }
    let batch = 0;
    const textJob = (i: number) => ({ task: 'text', input: { prompt: `bench batch ${batch} job ${i}`, model: 'fake:bench' } });

    // (a) I/O-bound throughput with 1, 2, 3 workers.
    const throughput: number[] = [];
    for (let workers = 1; workers <= 3; workers++) {
      if (workers > 1) await cluster.addWorker();
      batch++;
      await runBatch(api, db, 4, textJob); // warm-up: connections, JIT
      batch++;
      const started = performance.now();
      await runBatch(api, db, IO_JOBS, textJob);
      throughput.push(IO_JOBS / ((performance.now() - started) / 1000));
    }
    const ideal = (1000 / PROVIDER_DELAY_MS) * TEXT_CONCURRENCY;
    for (const [i, value] of throughput.entries()) {
      rows.push([`I/O-bound text jobs (provider ${PROVIDER_DELAY_MS} ms, text×${TEXT_CONCURRENCY}), ${i + 1} worker${i === 0 ? '' : 's'}`, `${value.toFixed(2)} jobs/s`, `ideal ${(ideal * (i + 1)).toFixed(1)}`, '']);
    }
    const scaling = throughput[2]! / throughput[0]!;
    rows.push(['scaling 3 workers / 1 worker', `${scaling.toFixed(2)}×`, '≥ 2.7×', scaling >= 2.7 ? 'pass' : 'FAIL']);

    // (c) Redelivery after SIGKILL: the held job's provider call is made again by another worker.
    const slowId = await submit(api, { task: 'text', input: { prompt: `${SLOW} ${Date.now()}`, model: 'fake:bench' } });
    const callsBefore = () => provider.requests.filter((r) => JSON.stringify(r.body).includes(SLOW)).length;
    await until('the slow job reached the provider', 30_000, async () => (callsBefore() >= 1 ? true : undefined));
    const owner = await jobOwner(db, slowId);
    const holder = cluster.workers.find((w) => w.owner === owner);
    if (holder === undefined) throw new Error(`no worker owns ${slowId} (owner ${owner})`);
    holder.kill('SIGKILL');
    const killedAt = performance.now();
    await until('the slow job redelivered', 30_000, async () => (callsBefore() >= 2 ? true : undefined));
    const redeliveryMs = performance.now() - killedAt;
    // The redelivered call would hold a text slot for 20 s: cancel it.
    await fetch(`${api.url}/api/jobs/${slowId}/cancel`, { method: 'POST' });
    rows.push(['redelivery after SIGKILL of its worker (kill → step runs again elsewhere)', `${(redeliveryMs / 1000).toFixed(2)} s`, '≤ 5 s', redeliveryMs <= 5000 ? 'pass' : 'FAIL']);

    // (e) One worker's jobs/s per CPU lane (offline pipelines, default concurrency of the lane).
    for (const lane of await laneRates(cluster, api, db, holder)) rows.push([`1 worker, ${lane.name} (${lane.jobs} jobs, ${lane.lane} lane)`, `${lane.rate.toFixed(2)} jobs/s`, '', '']);

    // (d) BullMQ alone on the same Redis: the anchor.
    const raw = await bullmqThroughput(cluster.redisUrl, BULLMQ_JOBS);
    rows.push([`BullMQ raw: add + process ${BULLMQ_JOBS} empty jobs (concurrency 16)`, `${raw.toFixed(0)} jobs/s`, '', '']);
    rows.push(['ratio Shenbi 3-worker throughput / BullMQ raw', `${((throughput[2]! / raw) * 100).toFixed(2)} %`, '', '']);

    printTable(['metric', 'measured', 'target', 'result'], rows);
    console.log(`\nNode ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}); redis-server, PostgreSQL, s3rver and every shenbi process on this host (loopback).`);
    if (rows.some((row) => row[3] === 'FAIL')) process.exitCode = 1;
  } finally {
    await db.end();
    await cluster.stop();
    await provider.close();
  }
}

async function submit(api: Pick<ClusterProcess, 'url'>, body: unknown): Promise<string> {
  const response = await fetch(`${api.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST /api/jobs: ${response.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

/** Submits `count` jobs at once and waits (on the database) until every one completed. */
async function runBatch(api: ClusterProcess, db: pg.Client, count: number, body: (i: number) => unknown): Promise<void> {
  const ids = await Promise.all(Array.from({ length: count }, (_, i) => submit(api, body(i))));
  await until(`${count} jobs done`, 300_000, async () => {
    const { rows } = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM jobs WHERE id = ANY($1) GROUP BY status', [ids]);
    const failed = rows.find((r) => r.status === 'failed' || r.status === 'cancelled');
    if (failed !== undefined) {
      const { rows: errors } = await db.query("SELECT id, status, error_code, error_message FROM jobs WHERE id = ANY($1) AND status IN ('failed', 'cancelled') LIMIT 1", [ids]);
      throw new Error(`a job ${failed.status}: ${JSON.stringify(errors[0])}`);
    }
    return Number(rows.find((r) => r.status === 'completed')?.n ?? 0) === count ? true : undefined;
  }, 20);
}

async function jobOwner(db: pg.Client, id: string): Promise<string | null> {
  const { rows } = await db.query<{ owner: string | null }>('SELECT owner FROM jobs WHERE id = $1', [id]);
  return rows[0]?.owner ?? null;
}

/** A one-step pipeline of pure CPU-light work: what the path costs, not the step. */
const TRIVIAL = (i: number) => ({
  pipeline: { id: 'trivial', title: 'One light step', steps: [{ id: 'verse', uses: 'text.blessing-verse', with: { recipient: `Bench ${i}`, wish: 'a good day', language: 'en', seed: i } }], outputs: { verse: { $from: 'verse.verse' } } },
  input: {},
});

/**
 * (b) Added latency of the distributed path for a trivial job. Three targets, one job at a
 * time, rounds rotating which goes first (drift hits all alike): the cluster's API (queue,
 * worker, event bus); an embedded `shenbi serve` on the same PostgreSQL server (its own
 * database, so neither steals the other's queued jobs) and S3; the default embedded server
 * (SQLite, blobs on disk). Only the queue and the event bus differ between the first two.
 */
async function latencyRows(cluster: Cluster, api: ClusterProcess): Promise<Row[]> {
  const embeddedHome = await mkdtemp(join(tmpdir(), 'shenbi-bench-embedded-'));
  const plainHome = await mkdtemp(join(tmpdir(), 'shenbi-bench-plain-'));
  const serverUrl = new URL(cluster.databaseUrl);
  serverUrl.pathname = '/postgres';
  const sameServer = await createFreshDatabase(serverUrl.toString());
  const stops: Array<() => Promise<void>> = [];
  try {
    await writeFile(join(embeddedHome, 'config.json'), JSON.stringify({ c2pa: { keysDir: cluster.keysDir } }));
    const { SHENBI_QUEUE: _queue, ...sameStorage } = cluster.env;
    const embedded = await startServeProcess({ home: embeddedHome, env: { ...sameStorage, SHENBI_DATABASE: sameServer.url } });
    stops.push(() => embedded.stop());
    const plain = await startServeProcess({ home: plainHome });
    stops.push(() => plain.stop());
    const targets = [api.url, embedded.url, plain.url];
    const results = await latencies(targets, LATENCY_JOBS);
    const [distributed, embeddedSame, embeddedDefault] = results as [Latency[], Latency[], Latency[]];
    const p = (values: Latency[], key: keyof Latency, q: number) => percentile(values.map((v) => v[key]), q);
    const added = p(distributed, 'total', 50) - p(embeddedSame, 'total', 50);
    // The same jobs paired round by round (each round runs both back to back): drift cancels.
    const paired = percentile(distributed.map((d, i) => d.total - embeddedSame[i]!.total), 50);
    const line = (values: Latency[]) => `${ms(p(values, 'total', 50))} / ${ms(p(values, 'total', 95))}`;
    const stages = (values: Latency[]) => (['submit', 'pickup', 'run', 'tail'] as const).map((key) => `${key} ${ms(p(values, key, 50))}`).join(', ');
    return [
      [`trivial job submit→done, distributed: p50 / p95 of ${LATENCY_JOBS}`, line(distributed), '', ''],
      ['same, embedded serve on the same storage (PostgreSQL, blobs as configured)', line(embeddedSame), '', ''],
      ['same, embedded serve (default: SQLite, disk)', line(embeddedDefault), '', ''],
      ['  p50 stages, distributed', stages(distributed), '', ''],
      ['  p50 stages, embedded on the same storage', stages(embeddedSame), '', ''],
      ['  p50 stages, embedded default', stages(embeddedDefault), '', ''],
      ['  median of the round-by-round differences (same rounds, paired)', ms(paired), '', ''],
      ['added p50 latency of the distributed path (vs same storage)', ms(added), '≤ 5 ms', added <= 5 ? 'pass' : 'FAIL'],
    ];
  } finally {
    for (const stop of stops.reverse()) await stop();
    await sameServer.stop();
    await rm(embeddedHome, { recursive: true, force: true });
    await rm(plainHome, { recursive: true, force: true });
  }
}

/**
 * Where a job's time goes (ms). `submit`: POST until its 202; `pickup`: the job's createdAt →
 * startedAt (the queue hop to a runner: the API's clock vs the database's, one host here);
 * `run`: startedAt → finishedAt; `tail`: finishedAt → the client has the SSE `result`.
 */
interface Latency {
  /** POST → the SSE stream's final event, as the client sees it. */
  total: number;
  submit: number;
  pickup: number;
  run: number;
  tail: number;
}

/** Submit → the SSE stream's final event, one job at a time per target, rounds rotating the order (after 5 warm-up rounds). */
async function latencies(targets: string[], count: number): Promise<Latency[][]> {
  const out: Latency[][] = targets.map(() => []);
  const base = Math.floor(Math.random() * 1e6);
  for (let i = -5; i < count; i++) {
    for (let k = 0; k < targets.length; k++) {
      const index = (k + Math.max(0, i)) % targets.length;
      const url = targets[index]!;
      const started = performance.now();
      const id = await submit({ url }, TRIVIAL(base + i * targets.length + index));
      const submitted = performance.now();
      const sse = new SseReader(`${url}/api/jobs/${id}/events`);
      try {
        const events = await sse.untilEnd(60_000, `trivial job ${id}`);
        if (events.at(-1)?.event !== 'result') throw new Error(`trivial job ${id}: ${events.map((e) => `${e.event} ${e.data.slice(0, 200)}`).join('; ')}`);
      } finally {
        sse.close();
      }
      const doneAt = Date.now();
      const total = performance.now() - started;
      const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as { createdAt: string; startedAt: string; finishedAt: string };
      const [created, start, finished] = [job.createdAt, job.startedAt, job.finishedAt].map((at) => Date.parse(at)) as [number, number, number];
      if (i >= 0) out[index]!.push({ total, submit: submitted - started, pickup: start - created, run: finished - start, tail: doneAt - finished });
    }
  }
  return out;
}

/** One worker alone: jobs/s of each CPU lane's offline pipeline. */
async function laneRates(cluster: Cluster, api: ClusterProcess, db: pg.Client, killed: ClusterProcess): Promise<Array<{ name: string; lane: string; jobs: number; rate: number }>> {
  for (const worker of cluster.workers.filter((w) => w !== killed).slice(1)) await worker.stop();
  const kinds = [
    { name: 'speech (eSpeak)', lane: 'speech', jobs: 8, body: (i: number) => ({ task: 'speech', input: { text: `Capacity run ${i}: a sentence of ordinary length for the speech lane.` } }) },
    { name: 'blessing card', lane: 'image', jobs: 8, body: (i: number) => ({ pipeline: 'blessing-card', input: { recipient: `Cap ${i}`, seed: 5000 + i } }) },
    { name: 'motion (rule-based)', lane: 'motion', jobs: 8, body: (i: number) => ({ task: 'motion', input: { prompt: `walk forward ${(i % 5) + 1} meters`, format: 'bvh', seed: 5000 + i } }) },
    { name: '3D built-in object', lane: '3d', jobs: 8, body: (i: number) => ({ task: '3d', input: { prompt: '一盏红灯笼', seed: 5000 + i, thumbnail: false } }) },
  ];
  const out = [];
  for (const kind of kinds) {
    await runBatch(api, db, 1, (i) => kind.body(9000 + i)); // warm the engine
    const started = performance.now();
    await runBatch(api, db, kind.jobs, kind.body);
    out.push({ name: kind.name, lane: kind.lane, jobs: kind.jobs, rate: kind.jobs / ((performance.now() - started) / 1000) });
  }
  return out;
}

async function bullmqThroughput(url: string, count: number): Promise<number> {
  const parsed = new URL(url);
  const connection = { host: parsed.hostname, port: Number(parsed.port), maxRetriesPerRequest: null };
  const name = `bench-raw-${Date.now()}`;
  const queue = new Queue(name, { connection, prefix: 'bench' });
  let done = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const worker = new Worker(name, async () => {}, { connection, prefix: 'bench', concurrency: 16, autorun: false });
  worker.on('completed', () => {
    if (++done === count) resolveAll();
  });
  try {
    const started = performance.now();
    void worker.run();
    for (let i = 0; i < count; i += 500) await queue.addBulk(Array.from({ length: Math.min(500, count - i) }, (_, j) => ({ name: 'empty', data: { i: i + j }, opts: { removeOnComplete: true } })));
    await all;
    return count / ((performance.now() - started) / 1000);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>, everyMs = 10): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

await main();
