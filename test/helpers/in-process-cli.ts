import type { TestContext } from 'node:test';
import { main } from '../../src/cli/main.ts';

export interface InProcessCliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in this process (no 8 s start-up) with its text output captured; stdout and
 * stderr are pipes here, not a terminal. Only strings are taken from stdout: the test runner
 * reports through it as bytes.
 */
export async function runCliInProcess(t: TestContext, argv: string[]): Promise<InProcessCliResult> {
  let stdout = '';
  let stderr = '';
  const writeStdout = process.stdout.write.bind(process.stdout) as (chunk: Uint8Array) => boolean;
  const stdoutMock = t.mock.method(process.stdout, 'write', (chunk: string | Uint8Array) => (typeof chunk === 'string' ? ((stdout += chunk), true) : writeStdout(chunk)));
  const stderrMock = t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const status = await main(argv);
    return { status, stdout, stderr };
  } finally {
    stdoutMock.mock.restore();
    stderrMock.mock.restore();
  }
}
