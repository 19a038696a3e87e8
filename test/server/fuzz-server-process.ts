import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ModelManager } from '../../src/models/index.ts';
import { ApiKeyRepository } from '../../src/server/auth/api-key-repository.ts';
import { openDatabase } from '../../src/store/db/connect.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const run = promisify(execFile);

/** SHENBI_FUZZ_BIN: another checkout's bin/shenbi.js (e.g. an older commit, to see what the fuzzer finds there). */
const BIN = process.env.SHENBI_FUZZ_BIN ?? fileURLToPath(new URL('../../bin/shenbi.js', import.meta.url));

/** `shenbi serve` in a child process, so its memory can be measured and a crash is seen as an exit. */
export interface ServerProcess {
  url: string;
  home: string;
  pid: number;
  /** Tenant name → bearer token (empty for a keyless server). */
  tokens: Record<string, string>;
  /** The exit status (or signal) once the process has died, else null. */
  exited(): string | null;
  /** Resident memory of the server process in bytes (Linux /proc). */
  rss(): number;
  /** What the server wrote to stderr (warnings for INTERNAL errors among them). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Tenants to create keys for before the server starts; none: a keyless loopback server. */
  tenants?: string[];
  /** Import stories260K as the default text model, so chat requests reach llama.cpp. */
  withModel?: boolean;
  env?: Record<string, string>;
}

/** Every scope, so the fuzzer reaches every route's handler (scope checks are auth.test.ts's). */
const ALL_SCOPES = ['generate', 'jobs:read', 'models:read', 'models:pull', 'admin'] as const;

export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-fuzz-'));
  const tokens: Record<string, string> = {};
  if ((options.tenants ?? []).length > 0 && process.env.SHENBI_FUZZ_BIN !== undefined) {
    // Another checkout's schema may differ from this one's: let its own CLI make the keys.
    for (const tenant of options.tenants ?? []) {
      const { stdout } = await run(process.execPath, [BIN, '--json', 'apikeys', 'create', '--tenant', tenant, '--scopes', ALL_SCOPES.join(',')], { env: { ...process.env, SHENBI_HOME: home } });
      tokens[tenant] = (JSON.parse(stdout) as { token: string }).token;
    }
  } else if ((options.tenants ?? []).length > 0) {
    const database = await openDatabase(`sqlite:${join(home, 'shenbi.db')}`);
    try {
      const keys = new ApiKeyRepository(database.db);
      for (const tenant of options.tenants ?? []) tokens[tenant] = (await keys.create({ tenant, scopes: [...ALL_SCOPES] })).token;
    } finally {
      await database.close();
    }
  }
  if (options.withModel) await new ModelManager({ modelsDir: join(home, 'models'), modelEndpoint: null }).importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });

  const child: ChildProcess = spawn(process.execPath, [BIN, '--json', 'serve', '--port', '0'], {
    cwd: home,
    env: {
      ...process.env,
      SHENBI_HOME: home,
      SHENBI_TEXT_MODEL: 'stories260k',
      // A pull must fail fast (connection refused), never reach the internet.
      SHENBI_MODEL_ENDPOINT: 'http://127.0.0.1:9',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let exit: string | null = null;
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 1_000_000) stderr += d.toString('utf8');
  });
  child.on('exit', (code, signal) => (exit = signal ?? String(code)));
  // A test runner that dies must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const match = /"url":\s*"([^"]+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`shenbi serve exited (${exit}) before listening: ${stderr.slice(-2000)}`)));
  });
  return {
    url,
    home,
    pid: child.pid!,
    tokens,
    exited: () => exit,
    rss: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    stderr: () => stderr,
    async stop() {
      if (exit === null) {
        const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await done;
        clearTimeout(timer);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
