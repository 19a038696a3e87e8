import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { TESTDATA } from '../helpers/testdata.ts';
import type { JsonSchema } from './fuzz-arbitraries.ts';
import { startServerProcess, type ServerProcess } from './fuzz-server-process.ts';
import { operationKey, operationsOf, requestFor, strayRequest, type Caller, type FuzzRequest, type FuzzWorld, type Operation } from './fuzz-requests.ts';
import { describe, judge, pathsHiddenFrom, scanText, send, serverPaths, type Finding, type FuzzTargets } from './fuzz-verdict.ts';

/**
 * The fuzzing run shared by test/server/fuzz.test.ts (bounded, fixed seed) and bench/fuzz.ts
 * (long): two `shenbi serve` processes (keys for tenants A and B; keyless loopback), real
 * resources for each, then fast-check properties per OpenAPI operation.
 */

export interface Failure {
  operation: string;
  request: FuzzRequest;
  findings: Finding[];
}

export interface FuzzSession {
  targets: FuzzTargets;
  world: FuzzWorld;
  operations: Operation[];
  keyed: ServerProcess;
  keyless: ServerProcess;
  /** Requests sent so far (shrinking included). */
  sent: number;
  /** Requests that failed on a reused keep-alive socket and succeeded on a new connection. */
  keepAliveDrops: number;
  /** RSS samples of both servers (bytes), one per checkpoint. */
  rss: { keyed: number; keyless: number }[];
  /** Sends one request and judges it (and remembers a submitted job to follow). */
  probe(request: FuzzRequest): Promise<Finding[]>;
  /** Health of both servers, follow-up of submitted jobs, resources re-made if deleted, an RSS sample. */
  checkpoint(): Promise<Finding[]>;
  /**
   * One operation's property. `stop`: the first failure is shrunk and returned (CI);
   * `collect`: every failing request is kept and the run goes on (bench).
   */
  fuzzOperation(op: Operation | 'stray', options: { seed: number; numRuns: number; mode: 'stop' | 'collect'; timeLimitMs?: number }): Promise<Failure[]>;
  close(): Promise<void>;
}

const SAMPLE_MEDIA = join(TESTDATA, 'jfk.wav');

/**
 * fetch for the session's own bookkeeping (resources, job follow-up): a keep-alive socket the
 * server closed after a fuzzed request is not this request's failure, so it is tried again.
 */
async function steadyFetch(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 4 || (error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
    }
  }
}

async function json<T>(response: Promise<Response>): Promise<T> {
  const r = await response;
  const text = await r.text();
  if (!r.ok) throw new Error(`${r.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

interface Owner {
  url: string;
  headers: Record<string, string>;
}

/** One finished job (with an artifact) and one upload, made by `owner`. */
async function makeResources(owner: Owner, media: Buffer): Promise<{ job: string; artifact: string; upload: string }> {
  const submitted = await json<{ id: string }>(steadyFetch(`${owner.url}/api/jobs`, { method: 'POST', headers: { ...owner.headers, 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'blessing-card', input: { recipient: 'Fuzz', seed: 1 } }) }));
  await (await steadyFetch(`${owner.url}/api/jobs/${submitted.id}/events`, { headers: owner.headers })).text();
  const job = await json<{ status: string; artifacts: { id: string }[] }>(steadyFetch(`${owner.url}/api/jobs/${submitted.id}`, { headers: owner.headers }));
  if (job.artifacts[0] === undefined) throw new Error(`resource job ${submitted.id} ended ${job.status} without an artifact`);
  const upload = await json<{ id: string }>(steadyFetch(`${owner.url}/api/uploads?name=a.wav`, { method: 'POST', headers: { ...owner.headers, 'content-type': 'audio/wav' }, body: media }));
  return { job: submitted.id, artifact: job.artifacts[0].id, upload: upload.id };
}

export async function startFuzzSession(options: { withModel?: boolean } = {}): Promise<FuzzSession> {
  const [keyed, keyless] = await Promise.all([
    startServerProcess({ tenants: ['A', 'B'], withModel: options.withModel ?? true }),
    startServerProcess({ withModel: options.withModel ?? true }),
  ]);
  const targets: FuzzTargets = {
    keyed: { url: keyed.url, tokens: keyed.tokens, home: keyed.home },
    keyless: { url: keyless.url, home: keyless.home },
  };
  const owners: Record<string, Owner> = {
    A: { url: keyed.url, headers: { authorization: `Bearer ${keyed.tokens.A}` } },
    B: { url: keyed.url, headers: { authorization: `Bearer ${keyed.tokens.B}` } },
    local: { url: keyless.url, headers: {} },
  };
  const media = readFileSync(SAMPLE_MEDIA);
  const openapi = await json<Parameters<typeof operationsOf>[0]>(steadyFetch(`${keyed.url}/api/openapi.json`));
  const tasks = (await json<{ data: { kind: string; input: JsonSchema }[] }>(steadyFetch(`${keyless.url}/api/tasks`))).data;
  const pipelines = (await json<{ data: { id: string }[] }>(steadyFetch(`${keyless.url}/api/pipelines`))).data.map((p) => p.id);
  const models = (await json<{ catalog: { name: string }[] }>(steadyFetch(`${keyless.url}/api/models`))).catalog.map((m) => m.name).slice(0, 5);
  const resources: FuzzWorld['resources'] = {};
  await Promise.all(Object.entries(owners).map(async ([who, owner]) => (resources[who] = await makeResources(owner, media))));
  const world: FuzzWorld = { resources, tasks, pipelines, models: models.length > 0 ? models : ['stories260k'], sampleMedia: media };
  const paths = serverPaths(targets);
  const jobsToFollow: { caller: Caller; id: string; echoed: string }[] = [];

  const session: FuzzSession = {
    targets,
    world,
    operations: operationsOf(openapi),
    keyed,
    keyless,
    sent: 0,
    keepAliveDrops: 0,
    rss: [],
    async probe(request) {
      session.sent++;
      let response = await send(targets, request);
      // A keep-alive socket the server closed after an earlier answer (one that left a large
      // body unread) fails the next request sent on it: counted apart, and the request is
      // sent again on a connection of its own, where only a failure of the server counts.
      if (response.failure !== undefined && response.failure !== 'timeout') {
        session.keepAliveDrops++;
        response = await send(targets, request, { fresh: true });
      }
      if (request.method === 'POST' && request.url.split('?')[0] === '/api/jobs' && response.status === 202) {
        const id = (JSON.parse(response.text) as { id?: string }).id;
        if (id !== undefined) jobsToFollow.push({ caller: request.caller, id, echoed: `${request.url}\n${request.body ?? ''}` });
      }
      return judge(request, response, paths);
    },
    async checkpoint() {
      const findings: Finding[] = [];
      for (const [name, server] of [['keyed', keyed], ['keyless', keyless]] as const) {
        if (server.exited() !== null) {
          findings.push({ kind: 'connection', detail: `the ${name} server exited (${server.exited()}): ${server.stderr().slice(-1500)}` });
          continue;
        }
        const started = performance.now();
        // On a connection of its own: a stale keep-alive socket says nothing about liveness.
        const answer = await send(targets, { caller: name === 'keyed' ? 'none' : 'local', method: 'GET', url: '/api/health', headers: {} }, { fresh: true, timeoutMs: 30_000 });
        const health = answer.failure ?? answer.status;
        if (health !== 200) findings.push({ kind: 'connection', detail: `the ${name} server's /api/health answered ${health} after ${Math.round(performance.now() - started)} ms` });
      }
      if (findings.length > 0) return findings;
      findings.push(...(await followJobs(jobsToFollow.splice(0), owners, paths)));
      for (const [who, owner] of Object.entries(owners)) {
        const r = resources[who]!;
        const alive = await Promise.all([`/api/jobs/${r.job}`, `/api/artifacts/${r.artifact}/meta`, `/api/uploads/${r.upload}`].map((p) => steadyFetch(`${owner.url}${p}`, { headers: owner.headers }).then(async (res) => (await res.arrayBuffer(), res.ok))));
        if (alive.includes(false)) resources[who] = await makeResources(owner, media);
      }
      session.rss.push({ keyed: keyed.rss(), keyless: keyless.rss() });
      return findings;
    },
    async fuzzOperation(op, { seed, numRuns, mode, timeLimitMs }) {
      const arbitrary = op === 'stray' ? strayRequest(world) : requestFor(world, op);
      const name = op === 'stray' ? 'stray routes and methods' : operationKey(op);
      const failures: Failure[] = [];
      const result = await fc.check(
        fc.asyncProperty(arbitrary, async (request) => {
          const findings = await session.probe(request);
          if (findings.length === 0) return true;
          if (mode === 'collect') {
            failures.push({ operation: name, request, findings });
            return true;
          }
          throw new Error(findings.map((f) => `${f.kind}: ${f.detail}`).join('\n'));
        }),
        { seed, numRuns, ...(timeLimitMs === undefined ? {} : { interruptAfterTimeLimit: timeLimitMs }), markInterruptAsFailure: false },
      );
      if (result.failed && result.counterexample !== null) {
        const request = result.counterexample[0];
        failures.push({ operation: name, request, findings: await session.probe(request) });
      }
      return failures;
    },
    async close() {
      await Promise.all([keyed.stop(), keyless.stop()]);
    },
  };
  return session;
}

/** Waits a little for submitted jobs, cancels what still runs, and judges each job's record. */
async function followJobs(jobs: { caller: Caller; id: string; echoed: string }[], owners: Record<string, Owner>, paths: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const job of jobs) {
    const owner = owners[job.caller];
    if (owner === undefined) continue;
    const view = async () => steadyFetch(`${owner.url}/api/jobs/${job.id}`, { headers: owner.headers }).then((r) => r.text());
    let text = await view();
    for (let i = 0; i < 10 && /"status":"(?:queued|running)"/.test(text.slice(0, 2_000)); i++) {
      await new Promise((r) => setTimeout(r, 200));
      text = await view();
    }
    if (/"status":"(?:queued|running)"/.test(text.slice(0, 2_000))) {
      await steadyFetch(`${owner.url}/api/jobs/${job.id}/cancel`, { method: 'POST', headers: owner.headers }).then((r) => r.arrayBuffer());
      text = await view();
    }
    const found = scanText(text, job.echoed, pathsHiddenFrom(job.caller, paths));
    try {
      const record = JSON.parse(text) as { error?: { code?: string } | null };
      if (record.error?.code === 'INTERNAL') found.push({ kind: 'job-internal', detail: `job failed with INTERNAL: ${text.slice(0, 400)}` });
    } catch {
      found.push({ kind: 'error-shape', detail: `job view is not JSON: ${text.slice(0, 200)}` });
    }
    findings.push(...found.map((f) => ({ ...f, detail: `job ${job.id} (${job.caller}): ${f.detail}` })));
  }
  return findings;
}

export { describe };
