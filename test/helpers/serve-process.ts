import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureCompiledCli } from './cli.ts';

const BIN = fileURLToPath(new URL('../../bin/shenbi.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Resolves with the exit signal (null after a normal exit). */
  exited: Promise<NodeJS.Signals | null>;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `shenbi --json serve --port 0` in a child process (or `command` with `args`, a
 * wrapper that runs it and passes its output through) and resolves once it printed its URL.
 */
export async function startServeProcess(options: { home: string; env?: NodeJS.ProcessEnv; command?: string; args?: string[]; startMs?: number }): Promise<ServeProcess> {
  await ensureCompiledCli();
  const command = options.command ?? process.execPath;
  const args = options.args ?? [BIN, '--json', 'serve', '--port', '0'];
  const child = spawn(command, args, {
    cwd: ROOT,
    // Test servers start cold (SHENBI_WARM_UP=0) unless a test asks otherwise: warming speaks for seconds of CPU.
    env: { ...process.env, SHENBI_WARM_UP: '0', ...options.env, SHENBI_HOME: options.home, FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const startMs = options.startMs ?? 120_000;
  const url = await new Promise<string>((resolve, reject) => {
    // A server that never listened is killed: left running, it would keep the test file's
    // process alive after the failure (a hang instead of a failed test).
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shenbi serve did not start within ${startMs} ms:\n${stdout}\n${stderr}`));
    }, startMs);
    const look = () => {
      const found = /"url":\s*"(http:\/\/[^"]+)"/.exec(stdout)?.[1];
      if (found === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve(found);
    };
    child.stdout.on('data', look);
    void exited.then((signal) => {
      clearTimeout(timer);
      reject(new Error(`shenbi serve exited (${signal ?? 'no signal'}) before it listened:\n${stdout}\n${stderr}`));
    });
  });
  return {
    child,
    url,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
