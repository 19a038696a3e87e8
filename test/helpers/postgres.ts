import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export interface TestPostgres {
  /** A fresh, empty database on the server; tests may create more next to it. */
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/**
 * A PostgreSQL database for tests. With SHENBI_TEST_PG_URL set, a fresh database on that
 * server (dropped on stop). Otherwise a throwaway cluster on 127.0.0.1 from Debian's
 * binaries: trust auth, fsync off, removed on stop. No binaries is a failure, not a skip.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.SHENBI_TEST_PG_URL;
  if (external !== undefined && external !== '') return createFreshDatabase(external);
  return startCluster();
}

/** Creates `shenbi_test_<random>` on the server behind `serverUrl`; stop() drops it. */
export async function createFreshDatabase(serverUrl: string): Promise<TestPostgres> {
  const name = `shenbi_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let stopped = false;
  return {
    url: url.toString(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function startCluster(): Promise<TestPostgres> {
  const bin = await findPostgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-pg-'));
  const dataDir = join(dir, 'data');
  const logPath = join(dir, 'postgres.log');
  let server: ChildProcess | undefined;
  let exitGuard: (() => void) | undefined;
  try {
    let owner: { uid: number; gid: number } | undefined;
    if (asRoot) {
      // initdb refuses to run as root: the cluster belongs to the `postgres` system user.
      owner = await systemUser('postgres');
      await chown(dir, owner.uid, owner.gid);
    }
    const asOwner = (file: string, args: string[]): [string, string[]] =>
      asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];

    const [initCmd, initArgs] = asOwner(join(bin, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]);
    await run(initCmd, initArgs, { cwd: dir });

    const port = await freePort();
    const log = await open(logPath, 'a');
    if (owner !== undefined) await chown(logPath, owner.uid, owner.gid);
    const [serverCmd, serverArgs] = asOwner(join(bin, 'postgres'), [
      '-D', dataDir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `port=${port}`,
      '-c', `unix_socket_directories=${dir}`,
      '-c', 'fsync=off',
      '-c', 'full_page_writes=off',
      '-c', 'synchronous_commit=off',
    ]);
    server = spawn(serverCmd, serverArgs, { cwd: dir, stdio: ['ignore', log.fd, log.fd] });
    await log.close();
    const exited = new Promise<number | null>((resolve) => server?.once('exit', (code) => resolve(code)));

    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitUntilReady(url, exited, logPath);

    // If the test process dies without stop(), do not leave a postmaster running.
    const postmasterPid = await readPostmasterPid(dataDir);
    exitGuard = () => {
      try {
        process.kill(postmasterPid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
    };
    process.once('exit', exitGuard);

    const fresh = await createFreshDatabase(url);
    let stopped = false;
    return {
      url: fresh.url,
      async stop() {
        if (stopped) return;
        stopped = true;
        if (exitGuard !== undefined) process.removeListener('exit', exitGuard);
        const [stopCmd, stopArgs] = asOwner(join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
        await run(stopCmd, stopArgs, { cwd: dir }).catch(() => exitGuard?.());
        await exited;
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (exitGuard !== undefined) {
      process.removeListener('exit', exitGuard);
      exitGuard();
    }
    server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

/** Debian's `/usr/lib/postgresql/<version>/bin` (newest first), else `initdb` on PATH. */
async function findPostgresBin(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = await readdir(root).catch(() => [] as string[]);
  versions.sort((a, b) => Number(b) - Number(a));
  const candidates = [
    ...versions.map((v) => join(root, v, 'bin')),
    ...(process.env.PATH ?? '').split(delimiter).filter((p) => p !== ''),
  ];
  for (const dir of candidates) {
    const found = await open(join(dir, 'initdb'), 'r').then(
      async (f) => {
        await f.close();
        return true;
      },
      () => false,
    );
    if (found) return dir;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, postgres) were not found under /usr/lib/postgresql/*/bin or on PATH. ' +
      "Install Debian's `postgresql` package (apt-get install -y postgresql), or set SHENBI_TEST_PG_URL to a server the tests may create databases on.",
  );
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(`Running as root, PostgreSQL must run as the "${name}" system user, which does not exist. Install Debian's \`postgresql\` package.`);
  }
  return { uid: Number(uid), gid: Number(gid) };
}


async function waitUntilReady(url: string, exited: Promise<number | null>, logPath: string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`PostgreSQL exited during startup:\n${await readFile(logPath, 'utf8').catch(() => '')}`);
    try {
      await withClient(url, (client) => client.query('SELECT 1'));
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS} ms: ${String(error)}\n${await readFile(logPath, 'utf8').catch(() => '')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function readPostmasterPid(dataDir: string): Promise<number> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`Unreadable postmaster.pid in ${dataDir}`);
  return pid;
}

async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}
