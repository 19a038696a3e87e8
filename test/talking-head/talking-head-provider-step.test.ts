import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Shenbi } from '../../src/shenbi.ts';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * The talking-head pipeline with a provider model: the same job as the local renderer (consent,
 * face check, speech), but the video comes from a fal queue server on 127.0.0.1 speaking fal's
 * protocol — and leaves Shenbi labeled, with the provider recorded in the provenance.
 */

const MODEL = 'fal-ai/sadtalker';
let api: FakeServer;
let home: string;
let shenbi: Shenbi;
let resultMp4: Buffer;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-th-provider-'));
  const mp4 = join(home, 'provider.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=256x256:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=220', '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', mp4]);
  resultMp4 = await readFile(mp4);
  let polls = 0;
  api = await startFakeServer((req, res) => {
    const base = `${api.baseURL}/fal/${MODEL}/requests/req-7`;
    if (req.method === 'POST' && req.url === `/fal/${MODEL}`) return sendJson(res, 200, { request_id: 'req-7', status_url: `${base}/status`, response_url: base });
    if (req.method === 'GET' && req.url.startsWith(`/fal/${MODEL}/requests/req-7/status`)) return sendJson(res, 200, polls++ < 2 ? { status: 'IN_QUEUE', queue_position: 1 } : { status: 'COMPLETED' });
    if (req.method === 'GET' && req.url === `/fal/${MODEL}/requests/req-7`) return sendJson(res, 200, { video: { url: `${api.baseURL}/files/out.mp4`, content_type: 'video/mp4' } });
    if (req.method === 'GET' && req.url === '/files/out.mp4') {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(resultMp4.length) });
      res.end(resultMp4);
      return;
    }
    sendJson(res, 404, { detail: 'Not found' });
  });
  process.env.SHENBI_TEST_FAL_KEY = 'fal-test-key';
  shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [TESTDATA, home], providers: [{ name: 'fal', kind: 'fal', baseURL: `${api.baseURL}/fal`, apiKeyEnv: 'SHENBI_TEST_FAL_KEY' }] } });
});

after(async () => {
  await shenbi?.close();
  await api?.close();
  await rm(home, { recursive: true, force: true });
});

test('model=fal:fal-ai/sadtalker: the prepared portrait and the speech go to fal, the video comes back labeled with the provider in its provenance', async () => {
  const consent = { subject: 'Eileen Collins (NASA portrait)', basis: 'public-domain' };
  const job = await shenbi.run('talking-head', { portrait: join(TESTDATA, 'portrait-astronaut.png'), text: 'Hello from orbit.', consent, model: `fal:${MODEL}` });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const submitted = api.requests.find((r) => r.method === 'POST');
  assert.ok(submitted, 'submitted to fal');
  assert.equal(submitted.headers.authorization, 'Key fal-test-key');
  const body = submitted.body as { source_image_url: string; driven_audio_url: string };
  assert.match(body.source_image_url, /^data:image\/png;base64,/);
  assert.match(body.driven_audio_url, /^data:audio\/wav;base64,/);
  const video = await shenbi.store.artifacts.get(job.outputs!.video as string);
  assert.equal(video.provenance.engine.id, 'provider:fal');
  assert.equal(video.provenance.model?.name, MODEL);
  assert.deepEqual(video.provenance.parameters.consent, consent);
  assert.ok(video.labels.some((l) => l.type === 'aigc-explicit'), 'the provider video got the explicit label');
  assert.ok(video.labels.some((l) => l.type === 'aigc-implicit'), 'and the implicit one');
});
