import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTaskInput } from '../../src/tasks/index.ts';
import { runCli } from '../helpers/cli.ts';

/** Issue #17 item 6d: `generate code` without examples is an input error (exit 2) naming them, before any job runs. */

test('code input without examples is INVALID_INPUT naming examples, with an example of the shape', () => {
  for (const input of [{ prompt: 'add two numbers' }, { prompt: 'add two numbers', examples: [] }]) {
    assert.throws(
      () => parseTaskInput('code', input),
      (error: Error & { code?: string }) => error.code === 'INVALID_INPUT' && /input\.examples: required: at least one example/.test(error.message) && /--set examples=/.test(error.message),
    );
  }
});

test('shenbi generate code without examples exits 2 with a readable message and no job', async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-code-input-'));
  try {
    const run = await runCli(['generate', 'code', 'add two numbers'], { home });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /examples: required: at least one example/);
    assert.doesNotMatch(run.stderr, /"code":|"issues"|\{"path"/, 'no raw JSON');
    const jobs = await runCli(['--json', 'jobs', 'list'], { home });
    assert.deepEqual(JSON.parse(jobs.stdout), []);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
