// A port another program holds: PORT_IN_USE (exit 5) with a hint naming `--port`, never INTERNAL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { startServer } from '../../src/server/start.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from './helpers.ts';

let holder: TestServer;
before(async () => {
  holder = await startTestServer({ withModel: false });
});
after(async () => {
  await holder.close();
});

test('startServer on a taken port rejects with PORT_IN_USE and a hint naming --port; the holder keeps serving', async () => {
  const port = holder.server.port;
  await assert.rejects(startServer(holder.shenbi, { port }), (error: unknown) => {
    assert.ok(error instanceof ShenbiError, String(error));
    assert.equal(error.code, 'PORT_IN_USE');
    assert.equal(error.exitCode, 5);
    assert.match(error.message, new RegExp(`Port ${port} .*already in use`));
    assert.match(error.hint ?? '', /shenbi serve --port \d+/);
    assert.match(error.hint ?? '', /npm start -- --port \d+/);
    return true;
  });
  const health = await fetch(`${holder.url}/api/health`);
  assert.equal(health.status, 200);
});

test('shenbi serve on a taken port prints error[PORT_IN_USE] with the hint and exits 5', async () => {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-port-'));
  try {
    const result = await runCli(['serve', '--port', String(holder.server.port)], { home });
    assert.equal(result.status, 5, result.stderr);
    assert.match(result.stderr, new RegExp(`error\\[PORT_IN_USE\\]: Port ${holder.server.port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(result.stderr, /hint: .*--port \d+/);
    assert.doesNotMatch(result.stderr, /INTERNAL|EADDRINUSE|\n\s+at /);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
