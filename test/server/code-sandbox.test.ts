import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Shenbi } from '../../src/shenbi.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { openAIChat, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';

// The model always answers with a program that never returns.
const REPLY = 'Here:\n```js\nfunction solve(n) { for (;;) {} }\n```';

let home: string;
let model: FakeServer;
let shenbi: Shenbi;
let server: RunningServer;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'shenbi-code-sandbox-'));
  model = await startFakeServer((_req, res) => openAIChat(res, 'coder', REPLY));
  process.env.FAKE_CODER_KEY = 'sk-coder';
  shenbi = await Shenbi.open({ overrides: { home, providers: [{ name: 'fakecoder', kind: 'openai', baseURL: `${model.baseURL}/v1`, apiKeyEnv: 'FAKE_CODER_KEY' }] }, env: process.env });
  server = await startServer(shenbi, { port: 0 });
});
after(async () => {
  await server.close();
  await shenbi.close();
  await model.close();
  delete process.env.FAKE_CODER_KEY;
  rmSync(home, { recursive: true, force: true });
});

interface JobView {
  status: string;
  outputs: Record<string, unknown>;
}

const submit = async (timeoutMs: number): Promise<string> => {
  const input = { prompt: 'identity', examples: [{ input: [1], output: 1 }], samples: 1, timeoutMs, model: 'fakecoder:coder' };
  const response = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'code', input }) });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { id: string }).id;
};
const job = async (id: string): Promise<JobView> => (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as JobView;
const FINAL = new Set(['completed', 'failed', 'cancelled']);

test('/api/health answers quickly while a code job runs an infinite loop', { timeout: 120_000 }, async (t) => {
  const id = await submit(3000);
  // Each round: a health check, a 50 ms pause, a job poll. A blocked event loop stretches a round.
  const rounds: number[] = [];
  let view = await job(id);
  while (!FINAL.has(view.status)) {
    const started = performance.now();
    const health = await fetch(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    view = await job(id);
    rounds.push(performance.now() - started);
  }
  assert.equal(view.status, 'completed', JSON.stringify(view));
  assert.equal(view.outputs.passed, 0);
  const slowest = Math.round(Math.max(...rounds));
  t.diagnostic(`${rounds.length} rounds, slowest ${slowest} ms`);
  assert.ok(rounds.length >= 20, `only ${rounds.length} health checks during the 3 s loop`);
  // Before the fix the loop ran on the event loop: one round waited out the whole 3 s.
  assert.ok(slowest < 1000, `slowest round ${slowest} ms`);
});

test('cancelling a code job stops its sandbox run at once', { timeout: 120_000 }, async () => {
  const id = await submit(10_000);
  // Wait until the model has answered: the candidate is then in (or queued for) the sandbox.
  while (model.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const cancelledAt = performance.now();
  const cancel = await fetch(`${server.url}/api/jobs/${id}/cancel`, { method: 'POST' });
  assert.equal(cancel.status, 200);
  let view = await job(id);
  while (!FINAL.has(view.status)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    view = await job(id);
  }
  assert.equal(view.status, 'cancelled');
  assert.ok(performance.now() - cancelledAt < 5000, `the job ended ${Math.round(performance.now() - cancelledAt)} ms after cancel, not at its 10 s deadline`);
});
