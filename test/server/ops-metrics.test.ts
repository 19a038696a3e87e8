import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { percentile, probeLatencyDuring } from '../helpers/latency-probe.ts';
import { startTestServer, type TestServer } from './helpers.ts';

/**
 * GET /metrics after real jobs: the counters and histograms carry the right labels, the text
 * is valid Prometheus exposition format, access is loopback-or-admin, and a scrape stays fast
 * while a CPU-heavy job runs.
 */

let t: TestServer;
let adminKey: string;
let readKey: string;
before(async () => {
  t = await startTestServer({ withModel: false });
  const keys = t.server.server.services.keys;
  adminKey = (await keys.create({ tenant: 'ops', scopes: ['admin'] })).token;
  readKey = (await keys.create({ tenant: 'ops', scopes: ['jobs:read'] })).token;
});
after(() => t.close());

async function submit(body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${t.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}`, ...headers }, body: JSON.stringify(body) });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { id: string }).id;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|\+Inf|-Inf|NaN))(?: -?[0-9]+)?$/;
const COMMENT = /^# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (?:counter|gauge|histogram|summary|untyped))$/;

/** Parses the exposition format strictly: every line is a HELP/TYPE comment or a sample of a declared family. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      assert.match(line, COMMENT, `comment line: ${line}`);
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      continue;
    }
    const match = SAMPLE.exec(line);
    assert.ok(match, `sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    const name = match[1]!;
    const family = name.replace(/_(?:bucket|sum|count|created)$/, '');
    assert.ok(types.has(name) || types.has(family), `sample of an undeclared family: ${line}`);
    samples.push({ name, labels, value: Number(match[3]) });
  }
  return { types, samples };
}

async function scrape(): Promise<{ types: Map<string, string>; samples: Sample[] }> {
  const response = await fetch(`${t.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** Counters are fed by job events (and one store read per job for its pipeline): poll briefly. */
async function scrapeUntil(ready: (samples: Sample[]) => boolean): Promise<{ types: Map<string, string>; samples: Sample[] }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const result = await scrape();
    if (ready(result.samples) || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('after a completed and a failed job: job, step, error, HTTP, queue, engine and process metrics with their labels', async () => {
  const done = await submit({ pipeline: 'blessing-card', input: { recipient: 'Ada', seed: 11 } });
  assert.equal((await t.shenbi.runner.wait(done)).status, 'completed');
  const failed = await submit({ task: 'text', input: { prompt: 'hello', model: 'not-installed-model' } });
  assert.equal((await t.shenbi.runner.wait(failed)).status, 'failed');
  assert.equal((await fetch(`${t.url}/api/no-such-route`, { headers: { authorization: `Bearer ${adminKey}` } })).status, 404);

  const { types, samples } = await scrapeUntil((s) => find(s, 'shenbi_jobs_failed_total').length > 0 && find(s, 'shenbi_jobs_completed_total').length > 0);
  assert.equal(types.get('shenbi_jobs_started_total'), 'counter');
  assert.equal(types.get('shenbi_job_duration_seconds'), 'histogram');
  assert.equal(types.get('shenbi_step_duration_seconds'), 'histogram');
  assert.equal(types.get('shenbi_queue_waiting_jobs'), 'gauge');

  assert.equal(find(samples, 'shenbi_jobs_started_total', { pipeline: 'blessing-card' })[0]?.value, 1);
  assert.equal(find(samples, 'shenbi_jobs_completed_total', { pipeline: 'blessing-card' })[0]?.value, 1);
  assert.equal(find(samples, 'shenbi_jobs_submitted_total', { pipeline: 'blessing-card' })[0]?.value, 1, 'submissions counted (runner.onSubmitted)');
  const failures = find(samples, 'shenbi_jobs_failed_total', { code: 'MODEL_NOT_FOUND' });
  assert.equal(failures.length, 1);
  assert.notEqual(failures[0]!.labels.pipeline, 'unknown');
  assert.equal(find(samples, 'shenbi_errors_total', { source: 'job', code: 'MODEL_NOT_FOUND' })[0]?.value, 1);
  assert.equal(find(samples, 'shenbi_errors_total', { source: 'http', code: 'ROUTE_NOT_FOUND' })[0]?.value, 1);

  const jobCount = find(samples, 'shenbi_job_duration_seconds_count', { pipeline: 'blessing-card', outcome: 'completed' });
  assert.equal(jobCount[0]?.value, 1);
  const infBucket = find(samples, 'shenbi_job_duration_seconds_bucket', { pipeline: 'blessing-card', outcome: 'completed', le: '+Inf' });
  assert.equal(infBucket[0]?.value, 1);
  const stepCounts = find(samples, 'shenbi_step_duration_seconds_count');
  assert.ok(stepCounts.length > 0, 'step durations observed');
  assert.ok(stepCounts.every((s) => s.labels.step_type !== 'unknown' && /^(true|false)$/.test(s.labels.cached ?? '')), JSON.stringify(stepCounts));

  assert.equal(find(samples, 'shenbi_http_requests_total', { method: 'POST', route: '/api/jobs', status: '202' })[0]?.value, 2);
  assert.equal(find(samples, 'shenbi_http_requests_total', { route: 'unmatched', status: '404' })[0]?.value, 1);
  // Raw paths (with job ids) never become labels.
  assert.ok(!samples.some((s) => Object.values(s.labels).some((v) => v.includes(done))));

  // Every lane has a depth, even when nothing waits.
  assert.equal(find(samples, 'shenbi_queue_waiting_jobs').length, 8, 'queue depth per lane (runner.queueDepth)');
  assert.equal(find(samples, 'shenbi_queue_oldest_age_seconds', { lane: 'image' })[0]?.value, 0);
  const limits = find(samples, 'shenbi_engine_limit_steps');
  assert.ok(limits.length > 0 && limits.every((s) => s.value >= 1), 'engine limits (runner.engineUsage)');
  assert.ok(find(samples, 'shenbi_engine_running_steps').every((s) => s.value === 0), 'nothing runs now');

  assert.ok(find(samples, 'process_cpu_user_seconds_total').length === 1, 'process metrics');
  assert.ok(find(samples, 'nodejs_eventloop_lag_seconds').length === 1, 'event-loop metrics');
});

test('access: loopback callers need no key; others need an admin key', async () => {
  assert.equal((await fetch(`${t.url}/metrics`)).status, 200, 'loopback peer, keys exist, no key sent');
  // app.request() has no TCP peer: it stands for a caller from another machine.
  const { app } = t.server.server;
  const remote = (token?: string) => app.request('/metrics', { headers: { host: `127.0.0.1:${t.server.port}`, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } });
  assert.equal((await remote()).status, 401);
  const forbidden = await remote(readKey);
  assert.equal(forbidden.status, 403);
  assert.equal(((await forbidden.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
  const allowed = await remote(adminKey);
  assert.equal(allowed.status, 200);
  assert.match(await allowed.text(), /^# HELP /m);
});

test('a scrape answers in milliseconds while a CPU-heavy job runs', async (context) => {
  const sentence = 'The quick brown fox jumps over the lazy dog, and then it runs far away across the field to find its friends before the sun goes down.';
  const id = await submit({ task: 'speech', input: { text: Array.from({ length: 10 }, () => sentence).join(' ') } });
  const { result, latencies } = await probeLatencyDuring(`${t.url}/metrics`, 50, () => t.shenbi.runner.wait(id));
  assert.equal(result.status, 'completed', JSON.stringify(result.error));
  const p50 = percentile(latencies, 50);
  const summary = `${latencies.length} scrapes: p50 ${p50.toFixed(1)} ms, p90 ${percentile(latencies, 90).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`;
  context.diagnostic(summary);
  assert.ok(latencies.length >= 5, summary);
  assert.ok(p50 < 50, summary);
  // A shared, loaded 2-core machine: GC and process spawns still pause the loop now and then.
  assert.ok(percentile(latencies, 90) < 300, summary);
});
