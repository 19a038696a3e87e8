import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.ts';
import { ModelManager } from '../../src/models/manager.ts';
import { ApiKeyRepository } from '../../src/server/auth/api-key-repository.ts';
import { openDatabase } from '../../src/store/db/connect.ts';

export const TESTDATA = process.env.SHENBI_TESTDATA ?? fileURLToPath(new URL('../../../shared/testdata/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const TEXT_MODEL = 'stories260k';

/** One tenant's key, with quotas so large the soak never meets them, but checked on every request all the same. */
export interface TenantKey {
  tenant: string;
  token: string;
}

const GENEROUS = { ratePerMinute: 1_000_000, quotaRequests: 100_000_000, quotaTokens: 1_000_000_000, quotaMediaSeconds: 100_000_000 };

/**
 * A fresh SHENBI_HOME with stories260K installed as the text model and two tenants' keys (so
 * authentication, the rate bucket and the quota ledger run as in a keyed deployment).
 */
export async function prepareHome(): Promise<{ home: string; keys: [TenantKey, TenantKey] }> {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-soak-'));
  // The model manager and the key table only: `Shenbi.open` would load every engine into this
  // process (seconds), which only the server needs.
  const config = loadConfig({ overrides: { home }, env: { ...process.env, SHENBI_TEXT_MODEL: TEXT_MODEL } });
  const models = new ModelManager({ modelsDir: config.modelsDir, modelEndpoint: config.modelEndpoint, catalogs: config.catalogs });
  await models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: TEXT_MODEL });
  const database = await openDatabase(config.database);
  try {
    const repository = new ApiKeyRepository(database.db);
    const make = async (tenant: string): Promise<TenantKey> => {
      const { token } = await repository.create({ tenant, name: 'soak', scopes: ['generate', 'jobs:read', 'models:read'], ...GENEROUS });
      return { tenant, token };
    };
    return { home, keys: [await make('soak-a'), await make('soak-b')] };
  } finally {
    await database.close();
  }
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Set when the process ended (by itself or by `stop`). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last lines it wrote to stderr, for the report when it dies. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended and how long that took. */
  stop(graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; killed: boolean }>;
}

/** `shenbi serve --port 0 --json` as its own process, as deployed: its RSS is its own and its event loop too. */
export async function startServerProcess(home: string, startTimeoutMs = 120_000): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'bin/shenbi.js'), '--json', 'serve', '--port', '0'], {
    cwd: home,
    // As the README recommends for a server (glibc): two malloc arenas. With one per thread
    // (the default), the CPU pool, sandbox, libvips and onnxruntime threads fragment memory and
    // RSS climbed ~18 MB/min under this load; with two it stayed flat. Set it to compare.
    env: { MALLOC_ARENA_MAX: '2', ...process.env, SHENBI_HOME: home, SHENBI_TEXT_MODEL: TEXT_MODEL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const state: { exit: ServerProcess['exit'] } = { exit: undefined };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      state.exit = { code, signal };
      resolve();
    }),
  );
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shenbi serve printed no URL within ${startTimeoutMs} ms; stderr:\n${stderr}`)), startTimeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /"url":\s*"(http:\/\/[^"]+)"/.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`shenbi serve exited (${state.exit?.code ?? state.exit?.signal}) before listening; stderr:\n${stderr}`));
    });
  });
  const url = await listening.catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    pid: child.pid!,
    get exit() {
      return state.exit;
    },
    stderrTail: () => stderr,
    async stop(graceMs) {
      const started = performance.now();
      let killed = false;
      if (state.exit === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      return { code: state.exit!.code, signal: state.exit!.signal, ms: performance.now() - started, killed };
    },
  };
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}
