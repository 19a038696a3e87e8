import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startFileServer, type TestFileServer } from '../helpers/http-file-server.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const MODEL_PATH = '/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf';
let home: string;
let server: TestFileServer;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'shenbi-models-cli-'));
  server = await startFileServer({ [MODEL_PATH]: join(TESTDATA, 'stories260K.gguf') });
});
after(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

test('models pull through a mirror (HF_ENDPOINT): progress on stderr, verified install, list and rm', async () => {
  const env = { HF_ENDPOINT: server.origin };
  // The transfer is cut once; the CLI pull still completes by resuming with Range.
  server.plan(({ index }) => (index === 0 ? { cutAfterBytes: 300_000, chunkDelayMs: 2 } : {}));
  const pull = await runCli(['models', 'pull', 'stories260k'], { home, env });
  assert.equal(pull.status, 0, pull.stderr);
  assert.match(pull.stdout, /stories260k installed: .*sha256 270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d/);
  assert.match(pull.stderr, /KiB|MiB/, 'progress lines on a non-terminal stderr');
  assert.ok(server.requests.some((r) => r.range !== undefined && /^bytes=[1-9]\d*-$/.test(r.range)), 'resumed with a Range request');

  const list = await runCli(['--json', 'models', 'list'], { home, env });
  const [model] = JSON.parse(list.stdout) as { name: string; path: string; sha256: string }[];
  assert.equal(model?.name, 'stories260k');
  assert.equal(createHash('sha256').update(readFileSync(model.path)).digest('hex'), model.sha256);

  const rm = await runCli(['models', 'rm', 'stories260k'], { home, env });
  assert.equal(rm.status, 0, rm.stderr);
  const again = await runCli(['models', 'rm', 'stories260k'], { home, env });
  assert.equal(again.status, 3);
});

test('a URL pull with a wrong --sha256 is MODEL_CHECKSUM_MISMATCH (exit 4) and installs nothing', async () => {
  server.plan(() => ({}));
  const url = `${server.origin}${MODEL_PATH}`;
  const r = await runCli(['models', 'pull', url, '--name', 'tiny', '--sha256', '0'.repeat(64)], { home });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /MODEL_CHECKSUM_MISMATCH/);
  const list = await runCli(['--json', 'models', 'list'], { home });
  assert.deepEqual(JSON.parse(list.stdout), []);
});
