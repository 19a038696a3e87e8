import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { JobEvent } from '../../src/core/progress.ts';
import type { ScenePicture, ShortScriptInput } from '../../src/engines/short/short-script.ts';
import { providerImageModel } from '../../src/engines/providers/index.ts';
import { createDiffusionModelResolver } from '../../src/pipelines/steps/image/diffusion-model-dir.ts';
import { MOOD_PALETTES } from '../../src/pipelines/steps/short/scene-cards.ts';
import { shortPicturesStep } from '../../src/pipelines/steps/short/short-pictures-step.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { openAIError, sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';

/**
 * video.short-pictures: a picture per scene by preference (the user's, a model's, a designed
 * card). Real card rendering (sharp/librsvg), real files; the cloud image provider is a
 * 127.0.0.1 server speaking OpenAI's images protocol.
 */
const dir = mkdtempSync(join(tmpdir(), 'shenbi-short-pictures-'));
const media = join(dir, 'media');
mkdirSync(media);
const home = join(dir, 'home');
/** What the fake provider draws: a solid teal picture at the asked size. */
const SERVED = { r: 20, g: 160, b: 150 };

// The local fake providers take any key; the OpenAI SDK insists on one. OPENAI_API_KEY must not stand in for a missing one.
Object.assign(process.env, { SHENBI_TEST_PICTURES_KEY: 'sk-test' });
delete process.env.OPENAI_API_KEY;

let good: FakeServer;
let flaky: FakeServer;
let shenbi: Shenbi;

async function served(size: unknown): Promise<string> {
  const [width, height] = String(size ?? '1024x1024').split('x').map(Number);
  const png = await sharp({ create: { width: width!, height: height!, channels: 3, background: SERVED } }).png().toBuffer();
  return png.toString('base64');
}

const script: ShortScriptInput = {
  title: 'A day by the sea',
  mood: 'warm',
  scenes: [
    { narration: 'The sun rises over the quiet town.', caption: 'Dawn', visual: 'sunrise over rooftops', mood: 'warm' },
    { narration: 'Lanterns fill the street for the festival.', caption: 'Festival', visual: 'red lanterns in a street', mood: 'festive' },
    { narration: 'A girl writes a poem by the window.', caption: '', visual: '', mood: 'lyrical' },
    { narration: 'Her grandmother waters the flowers.', caption: 'Grandma', visual: 'flowers in a small garden', mood: 'gentle' },
    { narration: 'Kids race their bikes down the hill!', caption: 'Go!', visual: 'children racing bikes', mood: 'energetic' },
    { narration: 'At night the rain comes, and the town sleeps.', caption: 'Rain', visual: 'rain on a dark window', mood: 'melancholy' },
  ],
};

before(async () => {
  good = await startFakeServer(async (req, res) => sendJson(res, 200, { created: 1, data: [{ b64_json: await served(req.body.size) }] }));
  flaky = await startFakeServer(async (req, res, index) => {
    if (index >= 2) return openAIError(res, 503, 'the image service is overloaded');
    sendJson(res, 200, { created: 1, data: [{ b64_json: await served(req.body.size) }] });
  });
  const providers = [
    { name: 'pictures', kind: 'openai' as const, baseURL: `${good.baseURL}/v1`, apiKeyEnv: 'SHENBI_TEST_PICTURES_KEY' },
    { name: 'flaky', kind: 'openai' as const, baseURL: `${flaky.baseURL}/v1`, apiKeyEnv: 'SHENBI_TEST_PICTURES_KEY' },
    // A remote provider whose key variable is unset.
    { name: 'keyless', kind: 'openai' as const, baseURL: 'https://images.example.invalid/v1', apiKeyEnv: 'SHENBI_TEST_UNSET_PICTURES_KEY' },
    // A server on this machine configured without a key: resolving passes, the SDK then refuses to call.
    { name: 'local-keyless', kind: 'openai' as const, baseURL: `${good.baseURL}/v1`, apiKeyEnv: 'SHENBI_TEST_UNSET_PICTURES_KEY' },
  ];
  shenbi = await Shenbi.open({ overrides: { home, providers, mediaRoots: [media] } });
  // Until src/engine-steps.ts registers the step, the test does.
  if (!shenbi.steps.has('video.short-pictures')) {
    const config = shenbi.config;
    shenbi.steps.register(
      shortPicturesStep({
        engines: { imageModel: (spec) => providerImageModel(spec, { providers: config.providers }), diffusionModel: createDiffusionModelResolver({ modelsDir: config.modelsDir, mediaRoots: config.mediaRoots }) },
        media: { roots: config.mediaRoots, uploadsDir: config.uploads.dir },
      }),
    );
  }
});

after(async () => {
  await shenbi?.close();
  await good?.close();
  await flaky?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pictures(input: Record<string, unknown>, events: JobEvent[] = []) {
  const job = await shenbi.run(
    { id: 'pictures', title: 'pictures', steps: [{ id: 'pictures', uses: 'video.short-pictures', with: input }], outputs: { pictures: { $from: 'pictures.pictures' }, warnings: { $from: 'pictures.warnings' } } },
    {},
    { onEvent: (e) => events.push(e) },
  );
  return job;
}

async function pixels(id: string): Promise<{ width: number; height: number; hash: string; mean: { r: number; g: number; b: number } }> {
  const { bytes } = await shenbi.store.artifacts.read(id);
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 3) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
  const n = data.length / 3;
  return { width: info.width, height: info.height, hash: createHash('sha256').update(data).digest('hex'), mean: { r: sum[0]! / n, g: sum[1]! / n, b: sum[2]! / n } };
}

test('no model: six designed cards, all different, 720×1280, each in its scene mood’s palette', { timeout: 60_000 }, async () => {
  const job = await pictures({ script, seed: 7 });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const made = job.outputs!.pictures as ScenePicture[];
  assert.equal(made.length, 6);
  const hashes = new Set<string>();
  const warmth: number[] = [];
  for (const [i, picture] of made.entries()) {
    assert.equal(picture.source, 'card');
    assert.equal(picture.note, undefined);
    const artifact = await shenbi.store.artifacts.get(picture.artifact);
    assert.equal(artifact.kind, 'image');
    const mood = script.scenes[i]!.mood!;
    const palette = artifact.provenance.parameters.palette as string[];
    assert.ok(MOOD_PALETTES[mood].some((p) => p.join() === palette.join()), `scene ${i + 1}: palette ${palette} is not one of ${mood}'s`);
    assert.equal(artifact.provenance.parameters.source, 'card');
    const image = await pixels(picture.artifact);
    assert.deepEqual([image.width, image.height], [720, 1280]);
    hashes.add(image.hash);
    warmth.push(image.mean.r - image.mean.b);
  }
  assert.equal(hashes.size, 6, 'every scene has its own picture');
  const layouts = await Promise.all(made.map(async (p) => (await shenbi.store.artifacts.get(p.artifact)).provenance.parameters.design));
  for (let i = 1; i < layouts.length; i++) assert.notEqual(layouts[i], layouts[i - 1], 'consecutive cards use different layouts');
  // The festive card is red and gold, the melancholy one blue-grey.
  assert.ok(warmth[1]! > 40 && warmth[5]! < 0, `festive warmth ${warmth[1]}, melancholy warmth ${warmth[5]}`);
  // Visual words pick the motif: a sunrise is a horizon, rain is rain.
  assert.equal(layouts[0], 'scene-card/horizon');
  assert.equal(layouts[5], 'scene-card/rain');
});

test('cards are sized for the aspect (16:9, 1:1); the script may come as JSON text', { timeout: 60_000 }, async () => {
  const one = JSON.stringify({ title: 'One', mood: 'gentle', scenes: [{ narration: 'A quiet lake at dawn.' }] });
  for (const [aspect, size] of [['16:9', [1280, 720]], ['1:1', [1080, 1080]]] as const) {
    const job = await pictures({ script: one, aspect });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const [picture] = job.outputs!.pictures as ScenePicture[];
    const image = await pixels(picture!.artifact);
    assert.deepEqual([image.width, image.height], size);
  }
});

test('the user’s pictures go to scenes 1–3 as they are (two files and an earlier image artifact); the other scenes get cards', { timeout: 60_000 }, async () => {
  const first = join(media, 'beach.png');
  const second = join(media, 'street.jpg');
  await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toFile(first);
  await sharp({ create: { width: 480, height: 640, channels: 3, background: { r: 30, g: 30, b: 200 } } }).jpeg().toFile(second);
  const card = await shenbi.run({ id: 'card', title: 'card', steps: [{ id: 'card', uses: 'image.card', with: { title: 'Mine', seed: 2 } }], outputs: { image: { $from: 'card.image' } } }, {});
  const earlier = String(card.outputs!.image);
  const job = await pictures({ script, pictures: [first, second, earlier], seed: 7 });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const made = job.outputs!.pictures as ScenePicture[];
  assert.deepEqual(made.slice(0, 3), [{ artifact: first, source: 'upload' }, { artifact: second, source: 'upload' }, { artifact: earlier, source: 'upload' }]);
  assert.deepEqual(made.slice(3).map((p) => p.source), ['card', 'card', 'card']);
  // The user's own pictures are not stored again as if Shenbi had made them.
  const stored = await shenbi.store.artifacts.list({ jobId: job.id });
  assert.equal(stored.length, 3);
});

test('a picture that is not an image fails the step before anything is stored', { timeout: 60_000 }, async () => {
  const text = join(media, 'notes.png');
  await import('node:fs/promises').then((fs) => fs.writeFile(text, 'not a picture'));
  const job = await pictures({ script, pictures: text }); // one picture may be given bare
  assert.equal(job.status, 'failed');
  assert.equal(job.error?.code, 'MEDIA_INVALID');
  assert.match(job.error!.message, /picture 1 .*notes\.png/);
  assert.equal((await shenbi.store.artifacts.list({ jobId: job.id })).length, 0);
});

test('a provider model: every scene painted by it, at a 9:16 size, from its visual and the style', { timeout: 60_000 }, async () => {
  const before = good.requests.length;
  const job = await pictures({ script, model: 'pictures:gpt-image-1', style: 'watercolour', seed: 3 });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const made = job.outputs!.pictures as ScenePicture[];
  assert.deepEqual(made.map((p) => p.source), Array(6).fill('provider'), JSON.stringify(made));
  const requests = good.requests.slice(before);
  assert.equal(requests.length, 6);
  assert.equal(requests[0]!.url, '/v1/images/generations');
  assert.equal(requests[0]!.body.size, '1024x1792');
  assert.equal(requests[0]!.body.prompt, 'sunrise over rooftops, watercolour');
  // A scene without a visual is pictured from its narration.
  assert.equal(requests[2]!.body.prompt, 'A girl writes a poem by the window., watercolour');
  for (const picture of made) {
    const image = await pixels(picture.artifact);
    assert.deepEqual([image.width, image.height], [1024, 1792]);
    assert.ok(Math.abs(image.mean.g - SERVED.g) < 3 && Math.abs(image.mean.r - SERVED.r) < 3, 'the provider’s picture, as it was served');
    const artifact = await shenbi.store.artifacts.get(picture.artifact);
    assert.equal(artifact.provenance.model?.name, 'pictures:gpt-image-1');
    assert.equal(artifact.provenance.parameters.source, 'provider');
  }
});

test('a provider failing from its 3rd request: scenes 3–6 are cards with a note, a warning is shown, the job completes', { timeout: 60_000 }, async () => {
  const events: JobEvent[] = [];
  const job = await pictures({ script, model: 'flaky:gpt-image-1', seed: 3 }, events);
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const made = job.outputs!.pictures as ScenePicture[];
  assert.deepEqual(made.map((p) => p.source), ['provider', 'provider', 'card', 'card', 'card', 'card']);
  assert.match(made[2]!.note ?? '', /^flaky: PROVIDER_UNAVAILABLE after 3 tries/);
  for (const later of made.slice(3)) assert.match(later.note ?? '', /^not asked: flaky: PROVIDER_UNAVAILABLE/);
  // Three tries for scene 3, then the provider is left alone.
  assert.equal(flaky.requests.length, 5);
  const warnings = job.outputs!.warnings as string[];
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /scene 3: flaky: PROVIDER_UNAVAILABLE after 3 tries .*scenes 3–6 are designed cards/);
  assert.ok(events.some((e) => e.type === 'step.progress' && e.message?.startsWith('warning: scene 3: flaky')));
  const card = await shenbi.store.artifacts.get(made[2]!.artifact);
  assert.match(String(card.provenance.parameters.note), /flaky: PROVIDER_UNAVAILABLE/);
  // A fallback is not cached: the same job again asks the provider again.
  const again = await pictures({ script, model: 'flaky:gpt-image-1', seed: 3 });
  assert.equal((await shenbi.store.jobs.steps(again.id))[0]!.status, 'completed', 'not served from the cache');
  assert.ok(flaky.requests.length > 5, 'the provider was asked again');
});

test('a model that cannot resolve fails at once with its error, before any picture is made', { timeout: 60_000 }, async () => {
  const requests = good.requests.length + flaky.requests.length;
  const unknown = await pictures({ script, model: 'nosuch:flux' });
  assert.equal(unknown.status, 'failed');
  assert.equal(unknown.error?.code, 'INVALID_INPUT');
  assert.match(unknown.error!.message, /unknown provider "nosuch"/);
  assert.equal((await shenbi.store.artifacts.list({ jobId: unknown.id })).length, 0);
  const keyless = await pictures({ script, model: 'keyless:gpt-image-1' });
  assert.equal(keyless.status, 'failed');
  assert.equal(keyless.error?.code, 'PROVIDER_KEY_MISSING');
  assert.match(keyless.error!.message, /SHENBI_TEST_UNSET_PICTURES_KEY/);
  assert.equal((await shenbi.store.artifacts.list({ jobId: keyless.id })).length, 0);
  const localKeyless = await pictures({ script, model: 'local-keyless:gpt-image-1' });
  assert.equal(localKeyless.status, 'failed');
  assert.equal(localKeyless.error?.code, 'PROVIDER_KEY_MISSING');
  assert.equal((await shenbi.store.artifacts.list({ jobId: localKeyless.id })).length, 0);
  const missing = await pictures({ script, model: 'sd-turbo-not-installed' });
  assert.equal(missing.status, 'failed');
  assert.equal(missing.error?.code, 'MODEL_NOT_INSTALLED');
  assert.equal(good.requests.length + flaky.requests.length, requests);
});
