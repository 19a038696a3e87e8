// The repository's npm settings: no config npm does not know (npm 11 warns on every command,
// the next major refuses), and onnxruntime-node's install script (a CUDA download that fails
// offline and is not needed on CPU) skipped by npm's supported allowScripts policy.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

test('npm run in the repository warns about no unknown project config', async () => {
  const { stdout, stderr } = await run('npm', ['config', 'list'], { cwd: REPO, env: { ...process.env, NO_UPDATE_NOTIFIER: '1' } });
  assert.doesNotMatch(stderr, /Unknown (project|user|env) config/, stderr);
  assert.match(stdout, /"project" config from .*\.npmrc/, 'the project .npmrc is still read');
});

test('package.json denies onnxruntime-node its install script (the CPU binary ships in the package)', () => {
  const manifest = z
    .object({ allowScripts: z.record(z.string(), z.boolean()).optional() })
    .parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));
  assert.equal(manifest.allowScripts?.['onnxruntime-node'], false);
});
