import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isCompiledBuildFresh } from '../../bin/compiled-build.js';
import { buildNode } from '../../scripts/build-node.ts';

const BIN = fileURLToPath(new URL('../../bin/shenbi.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

let building: Promise<void> | undefined;

/**
 * Brings the compiled CLI (dist/node) up to date, once per test process: `npm test` builds
 * first, but a test file run alone after an edit would otherwise start every CLI from the
 * TypeScript sources (~10× slower). bin/shenbi.js still checks freshness on every start, so
 * a file edited after this build runs from source, never stale. A failed build (a file
 * mid-edit) leaves the sources to run.
 */
export function ensureCompiledCli(): Promise<void> {
  if (isCompiledBuildFresh()) return Promise.resolve();
  building ??= buildNode().then(
    () => {},
    (error: unknown) => {
      process.stderr.write(`could not compile the CLI, running it from source: ${error instanceof Error ? error.message : String(error)}\n`);
    },
  );
  return building;
}

/** Runs the real `shenbi` binary in a child process with the given SHENBI_HOME. */
export async function runCli(args: string[], options: { home: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<CliResult> {
  await ensureCompiledCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...options.env, SHENBI_HOME: options.home, FORCE_COLOR: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
