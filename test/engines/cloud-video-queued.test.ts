import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PipelineSpecInput } from '../../src/core/pipeline.ts';
import { signStandardWebhook, webhookRegistry } from '../../src/engines/providers/webhook-registry.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { Shenbi } from '../../src/shenbi.ts';
import type { JobRecord } from '../../src/store/types.ts';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';

/**
 * fal and Replicate video through the AI SDK, against 127.0.0.1 fakes that speak their wire
 * protocols (fal queue: submit → poll response_url, 400 "still in progress"; Replicate:
 * predictions + urls.get; webhooks signed the Standard Webhooks way), serving a real MP4.
 */
const dir = mkdtempSync(join(tmpdir(), 'shenbi-cloud-video-q-'));
const clipPath = join(dir, 'served.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=12:duration=1', '-pix_fmt', 'yuv420p', clipPath]);
const clip = readFileSync(clipPath);
const SECRET = `whsec_${Buffer.from('a-test-signing-secret-32-bytes!!').toString('base64')}`;
Object.assign(process.env, { SHENBI_TEST_FAL_VIDEO: 'fal-key-v', SHENBI_TEST_REPLICATE_VIDEO: 'r8_video' });

type Route = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;
let route: Route = (_req, res) => sendJson(res, 500, { detail: 'no route set' });
let fake: FakeServer;
let shenbi: Shenbi;
let home: string;
let port: number;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const serveClip = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(clip.length) });
  res.end(clip);
};

function clipSpec(with_: Record<string, unknown>): PipelineSpecInput {
  const fast = { pollMs: 20, retryBaseMs: 10 };
  return { id: 'cloud-clip-test', title: 'Cloud clip (test)', steps: [{ id: 'clip', uses: 'video.cloud-clip', with: { ...fast, ...with_ } }], outputs: { video: { $from: 'clip.video' } } };
}

async function failureOf(run: Promise<JobRecord>): Promise<{ code: string; message: string }> {
  try {
    const job = await run;
    assert.equal(job.status, 'failed', 'the job should fail');
    return { code: String(job.error?.code), message: String(job.error?.message) };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: String(e.code), message: String(e.message) };
  }
}

async function assertLabeledClip(id: unknown, model: string) {
  const artifact = await shenbi.store.artifacts.get(String(id));
  assert.equal(artifact.kind, 'video');
  assert.equal(artifact.provenance.model?.name, model);
  assert.ok(artifact.labels.some((l) => l.type.startsWith('aigc')), `an AIGC label: ${JSON.stringify(artifact.labels.map((l) => l.type))}`);
  const { bytes } = await shenbi.store.artifacts.read(artifact.id);
  const path = join(dir, `${artifact.id}.mp4`);
  (await import('node:fs')).writeFileSync(path, bytes);
  const probe = await probeMedia(path);
  assert.ok(Math.abs(probe.duration - 1) < 0.2, `${probe.duration} s`);
  return artifact;
}

before(async () => {
  fake = await startFakeServer((req, res) => route(req, res));
  // The webhook base URL must be known before the server starts: take a free port first.
  port = await new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as AddressInfo;
      probe.close(() => resolve(p));
    });
  });
  home = mkdtempSync(join(tmpdir(), 'shenbi-cloud-video-home-'));
  shenbi = await Shenbi.open({
    overrides: {
      home,
      publicBaseUrl: `http://127.0.0.1:${port}`,
      providers: [
        { name: 'fal', kind: 'fal', baseURL: fake.baseURL, apiKeyEnv: 'SHENBI_TEST_FAL_VIDEO' },
        { name: 'replicate', kind: 'replicate', baseURL: `${fake.baseURL}/v1`, apiKeyEnv: 'SHENBI_TEST_REPLICATE_VIDEO' },
      ],
    },
  });
});

after(async () => {
  await shenbi.close();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('polling (no webhook receiver in this process)', () => {
  test('fal queue: submit to the model path with Key auth, poll response_url through "still in progress", download; a labeled video artifact', async () => {
    let polls = 0;
    route = (req, res) => {
      if (req.method === 'POST' && req.url === '/fal-ai/kling-video/v2.1/standard/text-to-video') {
        return sendJson(res, 200, { request_id: 'req-1', response_url: 'https://queue.fal.run/fal-ai/kling-video/requests/req-1', status_url: 'https://queue.fal.run/fal-ai/kling-video/requests/req-1/status' });
      }
      if (req.method === 'GET' && req.url === '/fal-ai/kling-video/requests/req-1') {
        if (++polls < 3) return sendJson(res, 400, { detail: 'Request is still in progress' });
        return sendJson(res, 200, { video: { url: `${fake.baseURL}/files/clip-1.mp4`, content_type: 'video/mp4' }, seed: 7 });
      }
      if (req.url === '/files/clip-1.mp4') return serveClip(res);
      sendJson(res, 404, { detail: `no route ${req.url}` });
    };
    const job = await shenbi.run(clipSpec({ prompt: '灯笼在夜风中摇曳', model: 'fal:fal-ai/kling-video/v2.1/standard/text-to-video', aspect: '9:16', duration: 5, seed: 7, resolution: '720p' }), {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    assert.equal(polls, 3);
    const [submit] = fake.requests;
    assert.equal(submit!.headers.authorization, 'Key fal-key-v');
    assert.deepEqual(submit!.body, { prompt: '灯笼在夜风中摇曳', aspect_ratio: '9:16', duration: '5s', seed: 7, resolution: '720p' });
    assert.ok(!submit!.url.includes('fal_webhook'), 'no webhook without a receiver');
    assert.equal(fake.requests[1]!.headers.authorization, 'Key fal-key-v', 'polls on the same origin carry the key');
    assert.equal(fake.requests.at(-1)!.headers.authorization, undefined, 'the CDN download does not');
    await assertLabeledClip(job.outputs!.video, 'fal:fal-ai/kling-video/v2.1/standard/text-to-video');
  });

  test('Replicate: POST /models/{owner}/{name}/predictions with Prefer: wait, then urls.get polled until succeeded', async () => {
    fake.requests.length = 0;
    let polls = 0;
    route = (req, res) => {
      const prediction = (status: string, output?: string) => ({ id: 'p1', status, output: output ?? null, urls: { get: `${fake.baseURL}/v1/predictions/p1` } });
      if (req.method === 'POST' && req.url === '/v1/models/minimax/video-01/predictions') return sendJson(res, 201, prediction('starting'));
      if (req.method === 'GET' && req.url === '/v1/predictions/p1') return sendJson(res, 200, ++polls < 2 ? prediction('processing') : prediction('succeeded', `${fake.baseURL}/files/p1.mp4`));
      if (req.url === '/files/p1.mp4') return serveClip(res);
      sendJson(res, 404, { detail: 'not found' });
    };
    const job = await shenbi.run(clipSpec({ prompt: 'a paper boat on a river', model: 'replicate:minimax/video-01', duration: 6, resolution: '1280x720' }), {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const [create] = fake.requests;
    assert.equal(create!.headers.authorization, 'Bearer r8_video');
    assert.equal(create!.headers.prefer, 'wait');
    assert.deepEqual(create!.body, { input: { prompt: 'a paper boat on a river', aspect_ratio: '16:9', size: '1280x720', duration: 6 } });
    assert.equal(polls, 2);
    await assertLabeledClip(job.outputs!.video, 'replicate:minimax/video-01');
  });

  test('a 4xx with Replicate\'s error body is PROVIDER_REJECTED with its message, not retried', async () => {
    fake.requests.length = 0;
    route = (_req, res) => sendJson(res, 422, { detail: 'Invalid input: prompt is too long for this model' });
    const failure = await failureOf(shenbi.run(clipSpec({ prompt: 'too long', model: 'replicate:minimax/video-01' }), {}));
    assert.equal(failure.code, 'PROVIDER_REJECTED');
    assert.match(failure.message, /prompt is too long for this model/);
    assert.equal(fake.requests.length, 1);
  });

  test('5xx is retried (each request, not the job), then PROVIDER_UNAVAILABLE', async () => {
    fake.requests.length = 0;
    route = (_req, res) => sendJson(res, 503, { error: { message: 'queue overloaded', code: 503 } });
    const failure = await failureOf(shenbi.run(clipSpec({ prompt: 'busy', model: 'fal:fal-ai/minimax-video', retries: 2 }), {}));
    assert.equal(failure.code, 'PROVIDER_UNAVAILABLE');
    assert.match(failure.message, /queue overloaded/);
    assert.equal(fake.requests.length, 3, '1 try + 2 retries, and the step is not rerun');
  });

  test('a job that never finishes ends with ENGINE_TIMEOUT', async () => {
    route = (req, res) => sendJson(res, req.method === 'POST' ? 201 : 200, { id: 'p2', status: 'processing', urls: { get: `${fake.baseURL}/v1/predictions/p2` } });
    const failure = await failureOf(shenbi.run(clipSpec({ prompt: 'forever', model: 'replicate:minimax/video-01', timeoutMs: 300 }), {}));
    assert.equal(failure.code, 'ENGINE_TIMEOUT');
  });

  test('cancelling the job stops the polling; a local job finishes while the cloud job waits', async () => {
    fake.requests.length = 0;
    route = (req, res) => sendJson(res, req.method === 'POST' ? 201 : 200, { id: 'p3', status: 'processing', urls: { get: `${fake.baseURL}/v1/predictions/p3` } });
    const cloud = await shenbi.runner.submit(clipSpec({ prompt: 'slow', model: 'replicate:minimax/video-01', pollMs: 30 }), {});
    while (fake.requests.length < 3) await sleep(10);
    // Meanwhile a local job runs to the end (cloud-video has its own concurrency lane).
    const local = await shenbi.run({ id: 'local', title: 'Local verse', steps: [{ id: 'verse', uses: 'text.blessing-verse', with: { recipient: '奶奶', wish: '健康长寿' } }], outputs: { text: { $from: 'verse.text' } } }, {});
    assert.equal(local.status, 'completed', JSON.stringify(local.error));
    assert.equal((await shenbi.store.jobs.get(cloud.id))?.status, 'running');
    await shenbi.runner.cancel(cloud.id);
    const final = await shenbi.runner.wait(cloud.id);
    assert.equal(final.status, 'cancelled');
    const seen = fake.requests.length;
    await sleep(150);
    assert.ok(fake.requests.length <= seen + 1, `polling stopped (${seen} → ${fake.requests.length})`);
  });
});

describe('webhooks (the Shenbi server receives them at publicBaseUrl)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer(shenbi, { port });
  });
  after(async () => {
    await server.close();
    webhookRegistry.setReceiver(undefined);
  });

  test('Replicate calls the signed webhook; the job completes without polling; a forged signature is 401 and completes nothing', async () => {
    fake.requests.length = 0;
    const verdicts: number[] = [];
    let polls = 0;
    let replay = async () => 0;
    route = async (req, res) => {
      if (req.method === 'GET' && req.url === '/v1/webhooks/default/secret') return sendJson(res, 200, { key: SECRET });
      if (req.method === 'GET' && req.url === '/v1/predictions/p4') {
        polls++;
        return sendJson(res, 200, { id: 'p4', status: 'processing', urls: { get: `${fake.baseURL}/v1/predictions/p4` } });
      }
      if (req.url === '/files/p4.mp4') return serveClip(res);
      if (req.method !== 'POST') return sendJson(res, 404, { detail: 'not found' });
      sendJson(res, 201, { id: 'p4', status: 'starting', urls: { get: `${fake.baseURL}/v1/predictions/p4` } });
      const hook = String(req.body.webhook);
      const payload = JSON.stringify({ id: 'p4', status: 'succeeded', output: `${fake.baseURL}/files/p4.mp4`, urls: { get: `${fake.baseURL}/v1/predictions/p4` } });
      const now = Math.floor(Date.now() / 1000);
      await sleep(100);
      const send = (signature: string) => fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signature }, body: payload });
      verdicts.push((await send(`v1,${Buffer.from('forged-signature-of-32-bytes!!!!').toString('base64')}`)).status);
      verdicts.push((await send(signStandardWebhook(`whsec_${Buffer.from('wrong-secret').toString('base64')}`, 'msg_1', now, payload))).status);
      await sleep(100); // the forged calls completed nothing: the job is still waiting
      verdicts.push((await send(signStandardWebhook(SECRET, 'msg_1', now, payload))).status);
      replay = async () => (await send(signStandardWebhook(SECRET, 'msg_1', now, payload))).status;
    };
    const job = await shenbi.run(clipSpec({ prompt: 'a kite over the Great Wall', model: 'replicate:minimax/video-01' }), {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    assert.deepEqual(verdicts, [401, 401, 200], 'forged or wrongly signed → 401, signed → 200');
    assert.equal(await replay(), 404, 'a replay after the job finished finds nothing to complete');
    assert.equal(polls, 0, 'no polling: the webhook answered');
    const create = fake.requests.find((r) => r.method === 'POST')!;
    assert.match(String(create.body.webhook), new RegExp(`^http://127\\.0\\.0\\.1:${port}/api/webhooks/replicate/[A-Za-z0-9_-]{43}$`));
    assert.deepEqual(create.body.webhook_events_filter, ['completed']);
    assert.equal(create.headers.prefer, undefined, 'with a webhook the request is not held open');
    await assertLabeledClip(job.outputs!.video, 'replicate:minimax/video-01');
  });

  test('fal: fal_webhook on the submit URL; the webhook payload completes the job', async () => {
    fake.requests.length = 0;
    let polls = 0;
    route = async (req, res) => {
      if (req.method === 'GET' && req.url.startsWith('/fal-ai/minimax-video/requests/')) {
        polls++;
        return sendJson(res, 400, { detail: 'Request is still in progress' });
      }
      if (req.url === '/files/f5.mp4') return serveClip(res);
      if (req.method !== 'POST') return sendJson(res, 404, { detail: 'not found' });
      sendJson(res, 200, { request_id: 'f5', response_url: 'https://queue.fal.run/fal-ai/minimax-video/requests/f5' });
      const hook = new URL(`http://x${req.url}`).searchParams.get('fal_webhook')!;
      await sleep(50);
      await fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request_id: 'f5', status: 'OK', payload: { video: { url: `${fake.baseURL}/files/f5.mp4`, content_type: 'video/mp4' } } }) });
    };
    const job = await shenbi.run(clipSpec({ prompt: 'dragon dance', model: 'fal:fal-ai/minimax-video' }), {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    assert.equal(polls, 0);
    assert.match(fake.requests[0]!.url, /^\/fal-ai\/minimax-video\?fal_webhook=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fapi%2Fwebhooks%2Ffal%2F/);
  });

  test('without a webhook within webhookWaitMs the job falls back to polling', async () => {
    route = (req, res) => {
      if (req.method === 'GET' && req.url === '/v1/webhooks/default/secret') return sendJson(res, 200, { key: SECRET });
      if (req.url === '/files/p6.mp4') return serveClip(res);
      const done = req.method === 'GET';
      sendJson(res, done ? 200 : 201, { id: 'p6', status: done ? 'succeeded' : 'starting', output: done ? `${fake.baseURL}/files/p6.mp4` : null, urls: { get: `${fake.baseURL}/v1/predictions/p6` } });
    };
    const job = await shenbi.run(clipSpec({ prompt: 'no webhook comes', model: 'replicate:minimax/video-01', webhookWaitMs: 100 }), {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
  });
});
