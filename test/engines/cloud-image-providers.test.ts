import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateImage } from 'ai';
import sharp from 'sharp';
import { imageCallOptions, imageProviderFamily } from '../../src/engines/providers/image-call-options.ts';
import { providerImageModel } from '../../src/engines/providers/media-models.ts';
import type { ProviderConfig } from '../../src/engines/providers/config.ts';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';

/**
 * Each fake speaks the provider's real wire protocol as the @ai-sdk package sends it:
 * fal (POST https://fal.run/<model>, images by URL), Replicate (POST /models/<owner>/<name>/predictions
 * with Prefer: wait, then polling urls.get), Black Forest Labs (POST /<model> → polling_url,
 * Pending → Ready with result.sample), Luma (POST /dream-machine/v1/generations/image → poll by id).
 */
let png: Buffer;
before(async () => {
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#1f6f8b' } }).png().toBuffer();
});
const servers: FakeServer[] = [];
after(async () => { for (const s of servers) await s.close(); });

async function serve(handler: (req: RecordedRequest, res: import('node:http').ServerResponse, base: string) => void): Promise<FakeServer> {
  const holder: { base: string } = { base: '' };
  const server = await startFakeServer((req, res) => handler(req, res, holder.base));
  holder.base = server.baseURL;
  servers.push(server);
  return server;
}

function sendPng(res: import('node:http').ServerResponse): void {
  res.writeHead(200, { 'content-type': 'image/png' });
  res.end(png);
}

async function generate(spec: string, provider: ProviderConfig, env: Record<string, string>, request: { negativePrompt?: string; count?: number; seed?: number }) {
  const model = providerImageModel(spec, { providers: [provider], env, pollIntervalMs: 10 });
  const call = imageCallOptions(imageProviderFamily(model), { width: 768, height: 512, negativePrompt: request.negativePrompt });
  const result = await generateImage({
    model,
    prompt: 'a lantern by a river at dusk',
    n: request.count ?? 1,
    ...(call.size ? { size: call.size } : {}),
    ...(call.aspectRatio ? { aspectRatio: call.aspectRatio } : {}),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    providerOptions: call.providerOptions,
    maxRetries: 0,
  });
  return { result, call };
}

test('fal: sync endpoint per model, Key auth, image_size, seed, negative_prompt; one call per image', async () => {
  const server = await serve((req, res, base) => {
    if (req.method === 'GET' && req.url === '/files/out.png') return sendPng(res);
    sendJson(res, 200, { images: [{ url: `${base}/files/out.png`, width: 768, height: 512, content_type: 'image/png' }], seed: 7, has_nsfw_concepts: [false], prompt: req.body.prompt });
  });
  const { result } = await generate('fal:fal-ai/fast-sdxl', { name: 'fal', kind: 'fal', baseURL: server.baseURL, apiKeyEnv: 'FAL_KEY' }, { FAL_KEY: 'fal-secret' }, { negativePrompt: 'blurry, text', count: 2, seed: 7 });
  const posts = server.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 2, 'fal takes one image per call');
  const req = posts[0]!;
  assert.equal(req.url, '/fal-ai/fast-sdxl');
  assert.equal(req.headers.authorization, 'Key fal-secret');
  assert.deepEqual(req.body.image_size, { width: 768, height: 512 });
  assert.equal(req.body.num_images, 1);
  assert.equal(req.body.negative_prompt, 'blurry, text');
  assert.equal(typeof req.body.seed, 'number');
  assert.equal(result.images.length, 2);
  assert.deepEqual(Buffer.from(result.images[0]!.uint8Array), png);
});

test('Replicate: predictions with Prefer: wait; a prediction still processing is polled to success; failure keeps its message', async () => {
  let polls = 0;
  const server = await serve((req, res, base) => {
    if (req.method === 'POST' && req.url === '/models/stability-ai/sdxl/predictions') {
      return sendJson(res, 201, { id: 'p1', status: 'starting', output: null, urls: { get: `${base}/predictions/p1`, cancel: `${base}/predictions/p1/cancel` } });
    }
    if (req.url === '/predictions/p1') {
      polls++;
      return sendJson(res, 200, polls < 2 ? { id: 'p1', status: 'processing', output: null, urls: { get: `${base}/predictions/p1` } } : { id: 'p1', status: 'succeeded', output: [`${base}/out/1.png`], urls: { get: `${base}/predictions/p1` } });
    }
    if (req.url === '/out/1.png') return sendPng(res);
    if (req.url === '/models/stability-ai/broken/predictions') return sendJson(res, 201, { id: 'p2', status: 'processing', output: null, urls: { get: `${base}/predictions/p2` } });
    if (req.url === '/predictions/p2') return sendJson(res, 200, { id: 'p2', status: 'failed', error: 'CUDA out of memory', output: null, urls: { get: `${base}/predictions/p2` } });
    sendJson(res, 404, { detail: 'not found' });
  });
  const provider: ProviderConfig = { name: 'replicate', kind: 'replicate', baseURL: server.baseURL, apiKeyEnv: 'REPLICATE_API_TOKEN' };
  const env = { REPLICATE_API_TOKEN: 'r8_secret' };
  const { result } = await generate('replicate:stability-ai/sdxl', provider, env, { negativePrompt: 'watermark', seed: 3 });
  const post = server.requests[0]!;
  assert.equal(post.headers.authorization, 'Bearer r8_secret');
  assert.equal(post.headers.prefer, 'wait');
  const input = post.body.input as Record<string, unknown>;
  assert.equal(input.prompt, 'a lantern by a river at dusk');
  assert.equal(input.size, '768x512');
  assert.equal(input.negative_prompt, 'watermark');
  assert.equal(input.seed, 3);
  assert.equal(input.num_outputs, 1);
  assert.equal(polls, 2);
  const poll = server.requests.find((r) => r.url === '/predictions/p1')!;
  assert.equal(poll.headers.authorization, 'Bearer r8_secret', 'same-origin poll carries the key');
  assert.deepEqual(Buffer.from(result.images[0]!.uint8Array), png);

  await assert.rejects(generate('replicate:stability-ai/broken', provider, env, {}), /CUDA out of memory/);
});

test('Black Forest Labs: x-key auth, width/height and ratio, polling_url until Ready, then result.sample', async () => {
  let polls = 0;
  const server = await serve((req, res, base) => {
    if (req.method === 'POST' && req.url === '/flux-pro-1.1') return sendJson(res, 200, { id: 'req-9', polling_url: `${base}/get_result?id=req-9` });
    if (req.url?.startsWith('/get_result')) {
      polls++;
      return sendJson(res, 200, polls < 2 ? { id: 'req-9', status: 'Pending', result: null } : { id: 'req-9', status: 'Ready', result: { sample: `${base}/sample.png`, seed: 11 } });
    }
    if (req.url === '/sample.png') return sendPng(res);
    sendJson(res, 404, { detail: 'not found' });
  });
  const { result, call } = await generate('bfl', { name: 'bfl', kind: 'black-forest-labs', baseURL: server.baseURL, apiKeyEnv: 'BFL_API_KEY', defaultModel: 'flux-pro-1.1' }, { BFL_API_KEY: 'bfl-secret' }, { negativePrompt: 'ugly', seed: 11 });
  const post = server.requests[0]!;
  assert.equal(post.headers['x-key'], 'bfl-secret');
  assert.equal(post.body.width, 768);
  assert.equal(post.body.height, 512);
  assert.equal(post.body.aspect_ratio, '3:2');
  assert.equal(post.body.seed, 11);
  assert.equal(post.body.negative_prompt, undefined);
  assert.deepEqual(call.ignored, ['negativePrompt'], 'FLUX has no negative prompt: reported, not sent');
  assert.equal(polls, 2);
  assert.match(server.requests[1]!.url, /id=req-9/);
  assert.deepEqual(Buffer.from(result.images[0]!.uint8Array), png);
});

test('Luma Photon: generations/image with model and aspect_ratio, polled by id until completed', async () => {
  let polls = 0;
  const server = await serve((req, res, base) => {
    if (req.method === 'POST' && req.url === '/dream-machine/v1/generations/image') return sendJson(res, 201, { id: 'gen-1', state: 'queued', failure_reason: null, assets: null });
    if (req.url === '/dream-machine/v1/generations/gen-1') {
      polls++;
      return sendJson(res, 200, { id: 'gen-1', state: 'completed', failure_reason: null, assets: { image: `${base}/img.png` } });
    }
    if (req.url === '/img.png') return sendPng(res);
    sendJson(res, 404, { detail: [{ msg: 'not found' }] });
  });
  const { result } = await generate('luma:photon-1', { name: 'luma', kind: 'luma', baseURL: server.baseURL, apiKeyEnv: 'LUMA_API_KEY' }, { LUMA_API_KEY: 'luma-secret' }, {});
  const post = server.requests[0]!;
  assert.equal(post.headers.authorization, 'Bearer luma-secret');
  assert.equal(post.body.model, 'photon-1');
  assert.equal(post.body.aspect_ratio, '3:2');
  assert.equal(polls, 1);
  assert.deepEqual(Buffer.from(result.images[0]!.uint8Array), png);
});

test('a cloud provider without its key is PROVIDER_KEY_MISSING naming the variable', () => {
  assert.throws(() => providerImageModel('fal:fal-ai/flux/schnell', { env: {} }), (e: Error & { code?: string }) => e.code === 'PROVIDER_KEY_MISSING' && /FAL_KEY/.test(e.message));
  assert.throws(() => providerImageModel('bfl', { env: {} }), /BFL_API_KEY/);
});
