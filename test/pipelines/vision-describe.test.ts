import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { describeImageStep } from '../../src/pipelines/steps/vision/describe-image-step.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { openAIChat, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';

let home: string;
let shenbi: Shenbi;
let server: FakeServer;
let picture: string;
let png: Buffer;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-vision-'));
  png = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#c0392b' } }).png().toBuffer();
  picture = join(home, 'lantern.png');
  await writeFile(picture, png);
  await writeFile(join(home, 'broken.png'), png.subarray(0, 40));
  server = await startFakeServer((req, res) => {
    const messages = req.body.messages as { role: string; content: { type: string; text?: string; image_url?: { url: string } }[] }[];
    const parts = messages.at(-1)!.content;
    const image = parts.find((p) => p.type === 'image_url');
    const text = parts.find((p) => p.type === 'text')?.text ?? '';
    // The fake answers only when the picture arrived intact as a data URL.
    if (image?.image_url?.url !== `data:image/png;base64,${png.toString('base64')}`) return openAIChat(res, 'gpt-4o-mini', 'NO IMAGE');
    openAIChat(res, 'gpt-4o-mini', /colou?r/i.test(text) ? 'Red.' : 'A plain red rectangle.');
  });
  // Text models read keys from the process environment.
  process.env.FAKE_VISION_KEY = 'sk-vision';
  shenbi = await Shenbi.open({
    overrides: { home, mediaRoots: [home], providers: [{ name: 'fake', kind: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'FAKE_VISION_KEY' }] },
    env: process.env,
  });
  // Until the step is wired into engine-steps.ts, register it here (same resolver Shenbi's text steps use).
  if (!shenbi.steps.has('vision.describe')) shenbi.steps.register(describeImageStep(shenbi.textModels.language, { roots: shenbi.config.mediaRoots }));
});
after(async () => {
  delete process.env.FAKE_VISION_KEY;
  await shenbi.close();
  await server.close();
  await rm(home, { recursive: true, force: true });
});

test('caption: the picture reaches the chat server as a data-URL image part; the caption is a stored text artifact', async () => {
  const job = await shenbi.generate('vision', { image: picture, mode: 'caption', model: 'fake:gpt-4o-mini' });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  assert.equal(job.outputs?.text, 'A plain red rectangle.');
  const req = server.requests.at(-1)!;
  assert.equal(req.url, '/v1/chat/completions');
  assert.equal(req.headers.authorization, 'Bearer sk-vision');
  const { artifact, bytes } = await shenbi.store.artifacts.read(String(job.outputs?.document));
  assert.match(bytes.toString('utf8'), /A plain red rectangle\./); // with the AIGC label governance adds
  assert.equal(artifact.kind, 'text');
});

test('vqa: the question is the text part next to the image', async () => {
  const job = await shenbi.generate('vision', { image: picture, mode: 'vqa', question: 'What colour is it?', model: 'fake:gpt-4o-mini' });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  assert.equal(job.outputs?.text, 'Red.');
  const parts = (server.requests.at(-1)!.body.messages as { content: { type: string; text?: string }[] }[])[0]!.content;
  assert.deepEqual(parts.filter((p) => p.type === 'text').map((p) => p.text), ['What colour is it?']);
});

test('without a multimodal provider model: ENGINE_UNAVAILABLE / MODEL_NOT_INSTALLED with a hint; a corrupt picture is MEDIA_INVALID', async () => {
  const failure = async (input: Record<string, unknown>): Promise<ShenbiError> => {
    try {
      const job = await shenbi.generate('vision', input);
      assert.equal(job.status, 'failed');
      return new ShenbiError(job.error!.code as never, job.error!.message, { hint: job.error!.hint ?? undefined });
    } catch (error) {
      assert.ok(error instanceof ShenbiError);
      return error;
    }
  };
  const none = await failure({ image: picture, mode: 'caption' });
  assert.equal(none.code, 'ENGINE_UNAVAILABLE');
  assert.match(none.hint ?? '', /model=openai:gpt-4o-mini/);
  assert.match(none.hint ?? '', /node-llama-cpp/);
  const local = await failure({ image: picture, mode: 'caption', model: 'qwen2-vl-2b' });
  assert.equal(local.code, 'MODEL_NOT_INSTALLED');
  const before = server.requests.length;
  const corrupt = await failure({ image: join(home, 'broken.png'), mode: 'caption', model: 'fake:gpt-4o-mini' });
  assert.equal(corrupt.code, 'MEDIA_INVALID');
  assert.equal(server.requests.length, before, 'nothing sent for a corrupt picture');
});
