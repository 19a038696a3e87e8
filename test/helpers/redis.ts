import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface TestRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Shuts the server down (SIGTERM) and removes its folder; idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, for outage tests; restart() brings it back. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (empty unless started with `persist`). */
  restart(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';
const READY_TIMEOUT_MS = 10_000;

/**
 * A throwaway Debian redis-server on a free 127.0.0.1 port, in its own temp dir: no RDB, no
 * AOF, unless `persist` (an fsync'd AOF, so restart() keeps the data, as production Redis would).
 * Missing binary is a failure, not a skip (`.ci/run` installs redis-server).
 */
export async function startRedis(options: { persist?: boolean } = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-redis-'));
  const port = await freePort();
  const logPath = join(dir, 'redis.log');
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const guard = () => server?.kill('SIGKILL');
  process.once('exit', guard);

  const launch = async () => {
    const log = await open(logPath, 'a');
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...(options.persist === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), '--dir', dir, '--protected-mode', 'no', '--daemonize', 'no'],
      { cwd: dir, stdio: ['ignore', log.fd, log.fd] },
    );
    await log.close();
    server = child;
    exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    try {
      await Promise.race([waitForPong(port), spawnError, exited.then(() => Promise.reject(new Error('redis-server exited')))]);
    } catch (error) {
      child.kill('SIGKILL');
      const logText = await readFile(logPath, 'utf8').catch(() => '');
      throw new Error(`redis-server on port ${port} did not start: ${String(error)}\n${logText.slice(-2000)}`);
    }
  };
  const halt = async (signal: NodeJS.Signals) => {
    const child = server;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };

  try {
    await launch();
  } catch (error) {
    process.removeListener('exit', guard);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGTERM');
      process.removeListener('exit', guard);
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    async restart() {
      await halt('SIGKILL');
      await launch();
    },
  };
}


async function waitForPong(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`no PONG within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}
