import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Settings } from '../../src/config/scale-out.ts';
import { freePort } from './free-port.ts';

/** s3rver signs with these and accepts nothing else. */
const ACCESS_KEY = 'S3RVER';
const READY_TIMEOUT_MS = 20_000;

export interface TestS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  bucket: string;
  /** Path-style settings for this server; `prefix` keeps tests of one file apart. */
  settings(prefix?: string): S3Settings;
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION for child processes. */
  env: Record<string, string>;
  /** The s3rver child's pid with `{ process: true }`. */
  pid: number | null;
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<unknown>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

/**
 * A real s3rver on a free 127.0.0.1 port, data in a temp dir, one bucket created. In this
 * process by default; `{ process: true }` runs it as a child (a multi-process test can then
 * SIGKILL workers without touching it). Also sets AWS_* credentials in this process's env
 * (the SDK's default chain reads them), as a real deployment would.
 */
export async function startS3(options: { process?: boolean; bucket?: string } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'shenbi-test';
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-s3-'));
  const port = await freePort();
  const env = { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: ACCESS_KEY, AWS_REGION: 'us-east-1' };
  Object.assign(process.env, env);
  const endpoint = `http://127.0.0.1:${port}`;
  let close: () => Promise<void>;
  let pid: number | null = null;
  if (options.process === true) {
    const child = await spawnS3rver(port, dir, bucket);
    pid = child.pid ?? null;
    close = () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
  } else {
    const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
    const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
    await server.run();
    close = async () => {
      await server.close();
    };
  }
  let stopped = false;
  return {
    endpoint,
    bucket,
    env,
    pid,
    settings: (prefix = '') => ({ bucket, prefix, endpoint, region: 'us-east-1', forcePathStyle: true, presignDownloads: false, presignExpiresSeconds: 300 }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** s3rver's own CLI as a child; ready once its port accepts connections. */
async function spawnS3rver(port: number, dir: string, bucket: string): Promise<ChildProcess> {
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = spawn(process.execPath, [bin, '--address', '127.0.0.1', '--port', String(port), '--directory', dir, '--silent', '--configure-bucket', bucket], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`s3rver exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`s3rver did not listen on ${port} within ${READY_TIMEOUT_MS} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

