import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { imageEditStep } from '../../src/pipelines/steps/image/image-edit-step.ts';
import { pipelineForTask } from '../../src/pipelines/task-pipelines.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { openAIChat, sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';

let home: string;
let shenbi: Shenbi;
let a1111: FakeServer;
let textServer: FakeServer;
let photo: string;
let png: Buffer;
const ENGLISH = 'A red paper lantern hanging by a river at dusk, ink wash painting on rice paper';

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-image-task-'));
  png = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#2e86ab' } }).png().toBuffer();
  photo = join(home, 'photo.png');
  await writeFile(photo, png);
  await writeFile(join(home, 'corrupt.png'), png.subarray(0, 60));
  a1111 = await startFakeServer((req, res) => {
    if (req.url === '/sdapi/v1/txt2img') return sendJson(res, 200, { images: [png.toString('base64')], parameters: {}, info: JSON.stringify({ seed: 5 }) });
    if (req.url?.startsWith('/sdapi/v1/progress')) return sendJson(res, 200, { progress: 0.5, eta_relative: 1, state: {} });
    sendJson(res, 404, { detail: 'Not Found' });
  });
  // The text model that rewrites prompts: answers the prompt.expand JSON.
  textServer = await startFakeServer((req, res) => openAIChat(res, 'gpt-4o-mini', JSON.stringify({ descriptions: [ENGLISH] })));
  process.env.FAKE_TEXT_KEY = 'sk-text';
  shenbi = await Shenbi.open({
    overrides: {
      home,
      mediaRoots: [home],
      defaultTextModel: 'faketext:gpt-4o-mini',
      providers: [
        { name: 'faketext', kind: 'openai', baseURL: `${textServer.baseURL}/v1`, apiKeyEnv: 'FAKE_TEXT_KEY' },
        // Overrides the preset of the same name: English-only by name.
        { name: 'automatic1111', kind: 'automatic1111', baseURL: a1111.baseURL },
      ],
    },
    env: process.env,
  });
  // Until image.edit is wired into engine-steps.ts.
  if (!shenbi.steps.has('image.edit')) shenbi.steps.register(imageEditStep({ roots: shenbi.config.mediaRoots }));
});
after(async () => {
  delete process.env.FAKE_TEXT_KEY;
  await shenbi.close();
  await a1111.close();
  await textServer.close();
  await rm(home, { recursive: true, force: true });
});

async function artifactCount(): Promise<number> {
  return (await shenbi.store.artifacts.list()).length;
}

test('operations through generate image: a labeled thumbnail (WebP) and poster; a corrupt input fails MEDIA_INVALID with nothing stored', async () => {
  const thumb = await shenbi.generate('image', { operation: 'thumbnail', image: photo });
  assert.equal(thumb.status, 'completed', JSON.stringify(thumb.error));
  const { artifact, bytes } = await shenbi.store.artifacts.read(String(thumb.outputs?.image));
  assert.equal(artifact.mimeType, 'image/webp');
  assert.deepEqual(await sharp(bytes).metadata().then((m) => [m.format, m.width, m.height]), ['webp', 256, 192]);
  assert.ok(artifact.labels.some((l) => l.type.startsWith('aigc')), 'governance labeled it');

  const poster = await shenbi.generate('image', { operation: 'poster', image: photo, prompt: '新年快乐', subtitle: '万事如意', height: 1920 });
  assert.equal(poster.status, 'completed', JSON.stringify(poster.error));
  const posterBytes = (await shenbi.store.artifacts.read(String(poster.outputs?.image))).bytes;
  assert.deepEqual(await sharp(posterBytes).metadata().then((m) => [m.width, m.height]), [1080, 1920]);

  const before = await artifactCount();
  const bad = await shenbi.generate('image', { operation: 'upscale', image: join(home, 'corrupt.png'), factor: 2 }).catch((e: unknown) => e);
  const code = bad instanceof ShenbiError ? bad.code : (bad as { error: { code: string } }).error.code;
  assert.equal(code, 'MEDIA_INVALID');
  assert.equal(await artifactCount(), before);
});

test('picture operations take any size: a 500×500 crop and a 1000×562 resize (real sharp); generation keeps the multiple-of-8 rule', async () => {
  const wide = join(home, 'wide.png');
  await writeFile(wide, await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#c0392b' } }).png().toBuffer());
  const crop = await shenbi.generate('image', { operation: 'crop', image: wide, width: 500, height: 500 });
  assert.equal(crop.status, 'completed', JSON.stringify(crop.error));
  const cropped = (await shenbi.store.artifacts.read(String(crop.outputs?.image))).bytes;
  assert.deepEqual(await sharp(cropped).metadata().then((m) => [m.width, m.height]), [500, 500]);
  const resize = await shenbi.generate('image', { operation: 'resize', image: wide, width: 1000, height: 562, fit: 'fill' });
  assert.equal(resize.status, 'completed', JSON.stringify(resize.error));
  const resized = (await shenbi.store.artifacts.read(String(resize.outputs?.image))).bytes;
  assert.deepEqual(await sharp(resized).metadata().then((m) => [m.width, m.height]), [1000, 562]);
  await assert.rejects(shenbi.generate('image', { prompt: 'a lantern', width: 500, height: 512 }), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT' && /width: must be a multiple of 8/.test(error.message));
});

test('a forbidden image prompt or negative prompt is refused at submission: GOVERNANCE_REFUSED, no job work, no artifact', async () => {
  const before = await artifactCount();
  const requests = a1111.requests.length;
  for (const input of [
    { prompt: '儿童色情 海报' },
    { prompt: 'a lantern', model: 'automatic1111:sd15', negativePrompt: 'child porn' },
    { prompt: 'a lantern', model: 'automatic1111:sd15', style: '儿童色情' },
  ]) {
    await assert.rejects(shenbi.generate('image', input), (error: unknown) => {
      assert.ok(error instanceof ShenbiError, String(error));
      assert.equal(error.code, 'GOVERNANCE_REFUSED', JSON.stringify(input));
      return true;
    });
  }
  assert.equal(await artifactCount(), before);
  assert.equal(a1111.requests.length, requests, 'the image server was never called');
});

test('style presets extend prompt and negative prompt; a Chinese prompt for an English-only model is translated first', async () => {
  const cloud = pipelineForTask('image', { prompt: 'a cat', model: 'openai:gpt-image-1', style: '水墨', negativePrompt: 'text' });
  const withCloud = cloud.steps[0]!.with as Record<string, unknown>;
  assert.match(String(withCloud.prompt), /^a cat, traditional Chinese ink wash painting/);
  assert.match(String(withCloud.negativePrompt), /^text, photograph/);
  assert.equal(cloud.steps.length, 1, 'OpenAI reads Chinese: no translation');
  assert.equal(pipelineForTask('image', { prompt: '一只猫', model: 'openai:gpt-image-1' }).steps.length, 1);
  assert.equal(pipelineForTask('image', { prompt: '一只猫', model: 'sd-turbo' }).steps[0]!.uses, 'prompt.expand');
  assert.equal(pipelineForTask('image', { prompt: '一只猫', model: 'sd-turbo', translatePrompt: false }).steps.length, 1);

  const job = await shenbi.generate('image', { prompt: '河边的红灯笼，黄昏', model: 'automatic1111:sd15', style: 'ink-wash', width: 512, height: 512, seed: 5 });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const sent = a1111.requests.find((r) => r.url === '/sdapi/v1/txt2img')!;
  assert.equal(sent.body.prompt, ENGLISH, 'the English rewrite reached the English-only model');
  assert.match(String(sent.body.negative_prompt), /photograph/);
  const expandCall = textServer.requests.at(-1)!;
  assert.match(JSON.stringify(expandCall.body.messages), /河边的红灯笼/);
  const imageId = (job.outputs?.images as string[])[0]!;
  const { artifact } = await shenbi.store.artifacts.read(imageId);
  assert.equal(artifact.provenance.inputs.originalPrompt, '河边的红灯笼，黄昏', 'the user prompt kept in provenance');
  assert.equal(artifact.provenance.inputs.prompt, ENGLISH);
});
