import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { experimental_generateVideo as generateVideo } from 'ai';
import { providerVideoModel } from '../../src/engines/providers/index.ts';
import { composeVideo } from '../../src/engines/video/compose-video.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';
import { sendJson, startFakeServer } from '../helpers/fake-providers.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-cloud-video-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const clipPath = join(dir, 'served.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=24:duration=2', '-pix_fmt', 'yuv420p', clipPath]);
const clip = readFileSync(clipPath);
const env = { GKEY: 'g-test-key' };

test('Google Veo through the AI SDK: a long-running operation is polled until done, the clip downloaded, and usable as a scene', async () => {
  let polls = 0;
  const server = await startFakeServer((req, res): void => {
    if (req.method === 'POST' && req.url === '/v1beta/models/veo-3.0-fast-generate-001:predictLongRunning') return sendJson(res, 200, { name: 'operations/op-1', done: false });
    if (req.method === 'GET' && req.url === '/v1beta/operations/op-1') {
      polls++;
      if (polls < 3) return sendJson(res, 200, { name: 'operations/op-1', done: false });
      return sendJson(res, 200, { name: 'operations/op-1', done: true, response: { generateVideoResponse: { generatedSamples: [{ video: { uri: `${server.baseURL}/v1beta/files/clip-1:download?alt=media` } }] } } });
    }
    if (req.method === 'GET' && req.url.startsWith('/v1beta/files/clip-1:download')) {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end(clip);
      return;
    }
    sendJson(res, 404, { error: { code: 404, message: `no route ${req.url}`, status: 'NOT_FOUND' } });
  });
  try {
    const model = providerVideoModel('g', { env, providers: [{ name: 'g', kind: 'google', baseURL: `${server.baseURL}/v1beta`, apiKeyEnv: 'GKEY' }] });
    // The SDK's own downloader refuses IP-address URLs (SSRF protection, kept in production);
    // the fake serves the clip from 127.0.0.1, so the test fetches it itself.
    const download = async ({ url }: { url: URL }) => {
      const response = await fetch(url);
      return { data: new Uint8Array(await response.arrayBuffer()), mediaType: response.headers.get('content-type') ?? undefined };
    };
    const result = await generateVideo({ model, prompt: 'a lantern festival at night', aspectRatio: '16:9', duration: 8, providerOptions: { google: { pollIntervalMs: 20 } }, maxRetries: 0, download });
    assert.equal(polls, 3);
    assert.deepEqual(Buffer.from(result.video.uint8Array), clip);
    const start = server.requests[0]!;
    assert.equal(start.headers['x-goog-api-key'], 'g-test-key');
    assert.deepEqual(start.body, { instances: [{ prompt: 'a lantern festival at night' }], parameters: { sampleCount: 1, aspectRatio: '16:9', durationSeconds: 8 } });
    assert.ok(server.requests.at(-1)!.url.includes('key=g-test-key'), 'the download carries the key');

    // The clip is a scene like any other.
    const downloaded = join(dir, 'downloaded.mp4');
    writeFileSync(downloaded, result.video.uint8Array);
    const output = join(dir, 'with-clip.mp4');
    await composeVideo({ scenes: [{ duration: 1, colors: ['#202020'] }, { video: downloaded, duration: 3 }] }, { output });
    const probe = await probeMedia(output);
    assert.ok(Math.abs(probe.duration - 4) < 0.15, `${probe.duration} s (the 2 s clip looped to fill 3 s)`);
  } finally {
    await server.close();
  }
});

test('a failed Veo operation reports the provider message', async () => {
  const server = await startFakeServer((req, res) => {
    if (req.method === 'POST') return sendJson(res, 200, { name: 'operations/op-2', done: false });
    sendJson(res, 200, { name: 'operations/op-2', done: true, error: { code: 3, message: 'prompt blocked by safety filters', status: 'INVALID_ARGUMENT' } });
  });
  try {
    const model = providerVideoModel('g:veo-2.0-generate-001', { env, providers: [{ name: 'g', kind: 'google', baseURL: `${server.baseURL}/v1beta`, apiKeyEnv: 'GKEY' }] });
    await assert.rejects(generateVideo({ model, prompt: 'x', providerOptions: { google: { pollIntervalMs: 10 } }, maxRetries: 0 }), /prompt blocked by safety filters/);
  } finally {
    await server.close();
  }
});
