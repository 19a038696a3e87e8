import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.ts';
import { openAIError, sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';

const homes: string[] = [];
after(() => { for (const h of homes) rmSync(h, { recursive: true, force: true }); });

interface RunJson {
  job: { status: string; outputs: Record<string, unknown> };
  artifacts: { path: string; mimeType: string; labels: { type: string }[] }[];
}

function homeFor(server: FakeServer): string {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-image-cli-'));
  homes.push(home);
  writeFileSync(join(home, 'config.json'), JSON.stringify({ providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_KEY' }] }));
  return home;
}
const env = { FAKE_KEY: 'sk-image-test' };

test('generate image on an OpenAI-protocol server: the request, two labeled PNGs of the asked size', async () => {
  const png = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#c0392b' } }).png().toBuffer();
  const server = await startFakeServer((req, res) => sendJson(res, 200, { created: 1, data: [{ b64_json: png.toString('base64') }, { b64_json: png.toString('base64') }] }));
  try {
    const r = await runCli(['--json', 'generate', 'image', 'a red lantern', '--set', 'model=fake:gpt-image-1', '--set', 'count=2', '--set', 'width=512', '--set', 'height=512', '--set', 'seed=4'], { home: homeFor(server), env });
    assert.equal(r.status, 0, r.stderr);
    const req = server.requests[0]!;
    assert.equal(req.url, '/v1/images/generations');
    assert.equal(req.headers.authorization, 'Bearer sk-image-test');
    assert.equal(req.body.model, 'gpt-image-1');
    assert.equal(req.body.prompt, 'a red lantern');
    assert.equal(req.body.n, 2);
    assert.equal(req.body.size, '512x512');
    const out = JSON.parse(r.stdout) as RunJson;
    assert.equal(out.artifacts.length, 2);
    for (const a of out.artifacts) {
      const meta = await sharp(readFileSync(a.path)).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 512, 512]);
      assert.ok(a.labels.some((l) => l.type.startsWith('aigc')));
    }
  } finally {
    await server.close();
  }
});

test('a refused prompt keeps the provider message; an undecodable image is PROVIDER_REJECTED; nothing is stored', async () => {
  const refusing = await startFakeServer((req, res) => openAIError(res, 400, 'Your request was rejected by the safety system.'));
  try {
    const home = homeFor(refusing);
    const r = await runCli(['generate', 'image', 'something forbidden', '--set', 'model=fake:gpt-image-1'], { home, env });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /rejected by the safety system/);
    const listed = await runCli(['--json', 'artifacts', 'list'], { home });
    assert.deepEqual(JSON.parse(listed.stdout), []);
  } finally {
    await refusing.close();
  }
  const broken = await startFakeServer((req, res) => sendJson(res, 200, { created: 1, data: [{ b64_json: Buffer.from('not a picture').toString('base64') }] }));
  try {
    const r = await runCli(['generate', 'image', 'x', '--set', 'model=fake:gpt-image-1'], { home: homeFor(broken), env });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /PROVIDER_REJECTED/);
  } finally {
    await broken.close();
  }
});
