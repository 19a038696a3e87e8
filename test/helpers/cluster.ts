import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCompiledCli, runCli } from './cli.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';
import { startRedis } from './redis.ts';
import { startS3, type TestS3 } from './s3.ts';

const BIN = fileURLToPath(new URL('../../bin/shenbi.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Short leases: a SIGKILLed worker's job is taken up again within ~1-2 s (docs/deploy.md). */
export const FAST_JOB_TIMINGS = { heartbeatMs: 250, staleAfterMs: 1_000, recoverEveryMs: 500 } as const;

/** One `shenbi` process of the cluster. */
export interface ClusterProcess {
  readonly role: 'api' | 'worker';
  readonly pid: number;
  /** http://127.0.0.1:<port> for an API server; '' for a worker (it serves nothing). */
  readonly url: string;
  /** A worker's runner owner id (what the jobs table's `owner` column holds); '' for an API server. */
  readonly owner: string;
  readonly home: string;
  /** Resolves with the exit signal (null after a normal exit) and code. */
  readonly exited: Promise<{ signal: NodeJS.Signals | null; code: number | null }>;
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (a worker finishes or hands back its jobs), then waits for the exit. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  apis?: number;
  workers?: number;
  /** Worker lanes (SHENBI_WORKER_LANES); default all. */
  lanes?: readonly string[];
  /** `--concurrency lane=N` for every worker. */
  concurrency?: Readonly<Record<string, number>>;
  jobs?: { heartbeatMs: number; staleAfterMs: number; recoverEveryMs: number };
  /** More env for every shenbi process (e.g. fake provider URLs). */
  env?: NodeJS.ProcessEnv;
  /** Blob key prefix in the bucket. */
  blobPrefix?: string;
  /** More config.json keys for every process (e.g. `providers`). */
  config?: Record<string, unknown>;
}

export interface Cluster {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly s3: TestS3;
  readonly blobPrefix: string;
  /** The C2PA keys every process signs with. */
  readonly keysDir: string;
  /** The env every shenbi process of the cluster shares (SHENBI_DATABASE, SHENBI_QUEUE, …). */
  readonly env: NodeJS.ProcessEnv;
  readonly apis: ClusterProcess[];
  readonly workers: ClusterProcess[];
  /** Starts one more worker (own SHENBI_HOME, shared env). */
  addWorker(): Promise<ClusterProcess>;
  addApi(): Promise<ClusterProcess>;
  /** Runs `shenbi <args>` against the shared database/queue/blobs, with a fresh home. */
  cli(args: string[]): ReturnType<typeof runCli>;
  /** Stops every shenbi process (SIGTERM), then S3, Redis and PostgreSQL; idempotent. */
  stop(): Promise<void>;
}

/**
 * Real infrastructure on 127.0.0.1 (redis-server, a PostgreSQL cluster, s3rver in a child
 * process) and real `shenbi serve --no-worker` / `shenbi worker` processes on it, each with
 * its own SHENBI_HOME: nothing is shared but what a deployment shares (docs/deploy.md).
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const root = await mkdtemp(join(tmpdir(), 'shenbi-cluster-'));
  const started: Array<{ stop(): Promise<void> }> = [];
  const processes: ClusterProcess[] = [];
  try {
    const [redis, postgres, s3] = await Promise.all([startRedis(), startPostgres(), startS3({ process: true }), ensureCompiledCli()]);
    started.push(redis, postgres as TestPostgres, s3);
    const blobPrefix = options.blobPrefix ?? 'blobs';
    const keysHome = join(root, 'shared');
    const env: NodeJS.ProcessEnv = {
      // Cold starts: three workers warming their speech runners at once would only slow the test.
      SHENBI_WARM_UP: '0',
      ...s3.env,
      ...options.env,
      SHENBI_DATABASE: postgres.url,
      SHENBI_QUEUE: redis.url,
      SHENBI_BLOBS: `s3://${s3.bucket}/${blobPrefix}`,
      SHENBI_S3_ENDPOINT: s3.endpoint,
      SHENBI_S3_PATH_STYLE: '1',
      ...(options.lanes === undefined ? {} : { SHENBI_WORKER_LANES: options.lanes.join(',') }),
    };
    // One signing key set for every process (a C2PA manifest names one signer), made once.
    const keys = await runCli(['--json', 'keys', 'init'], { home: keysHome, env });
    if (keys.status !== 0) throw new Error(`shenbi keys init failed: ${keys.stderr}`);
    const keysDir = join(keysHome, 'keys');
    let homes = 0;
    const newHome = async (): Promise<string> => {
      const home = await mkdtemp(join(root, `home-${homes++}-`));
      await writeFile(join(home, 'config.json'), JSON.stringify({ ...options.config, jobs: options.jobs ?? FAST_JOB_TIMINGS, c2pa: { keysDir } }));
      return home;
    };
    const concurrencyArgs = Object.entries(options.concurrency ?? {}).flatMap(([lane, n]) => ['--concurrency', `${lane}=${n}`]);
    const addApi = async () => {
      const api = await spawnShenbi('api', await newHome(), ['--json', 'serve', '--no-worker', '--port', '0'], env);
      processes.push(api);
      apis.push(api);
      return api;
    };
    const addWorker = async () => {
      const worker = await spawnShenbi('worker', await newHome(), ['--json', 'worker', ...concurrencyArgs], env);
      processes.push(worker);
      workers.push(worker);
      return worker;
    };
    const apis: ClusterProcess[] = [];
    const workers: ClusterProcess[] = [];
    // One at a time: several cold starts at once on 2 cores only slow each other down.
    for (let i = 0; i < (options.apis ?? 1); i++) await addApi();
    for (let i = 0; i < (options.workers ?? 3); i++) await addWorker();
    let stopped = false;
    return {
      redisUrl: redis.url,
      databaseUrl: postgres.url,
      s3,
      blobPrefix,
      keysDir,
      env,
      apis,
      workers,
      addApi,
      addWorker,
      cli: async (args) => runCli(args, { home: await newHome(), env }),
      async stop() {
        if (stopped) return;
        stopped = true;
        await Promise.all(processes.map((p) => p.stop()));
        await Promise.all(started.map((s) => s.stop().catch(() => {})));
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop().catch(() => {})));
    await Promise.all(started.map((s) => s.stop().catch(() => {})));
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

const START_MS = 120_000;
const STOP_GRACE_MS = 30_000;

/** Spawns bin/shenbi.js and resolves once it printed its ready line (`url` / `worker`). */
async function spawnShenbi(role: 'api' | 'worker', home: string, args: string[], env: NodeJS.ProcessEnv): Promise<ClusterProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, SHENBI_HOME: home, FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-200_000)));
  const exited = new Promise<{ signal: NodeJS.Signals | null; code: number | null }>((resolve) => child.on('exit', (code, signal) => resolve({ signal, code })));
  const ready = await new Promise<{ url: string; owner: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shenbi ${role} did not start within ${START_MS} ms:\n${stdout}\n${stderr}`));
    }, START_MS);
    // `--json` prints one pretty-printed object: look for its fields, not for one line.
    const look = () => {
      const url = /"url":\s*"(http:\/\/[^"]+)"/.exec(stdout)?.[1];
      const worker = /"worker":\s*true/.test(stdout) && /\n\}/.test(stdout);
      if (role === 'api' ? url === undefined : !worker) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve({ url: url ?? '', owner: /"owner":\s*"([^"]+)"/.exec(stdout)?.[1] ?? '' });
    };
    child.stdout.on('data', look);
    void exited.then(({ signal, code }) => {
      clearTimeout(timer);
      reject(new Error(`shenbi ${role} exited (${signal ?? code}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
  return {
    role,
    pid: child.pid!,
    url: ready.url,
    owner: ready.owner,
    home,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // A stop that hangs must not hang the test: SIGKILL after the grace period.
      const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(grace);
    },
  };
}
