import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { providerVideoModel } from '../../src/engines/providers/media-models.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';
import { sceneClipsStep } from '../../src/pipelines/steps/video/scene-clips-step.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { sendJson, startFakeServer, type FakeServer } from '../helpers/fake-providers.ts';
import { TESTDATA } from '../helpers/testdata.ts';

/**
 * Cloud clips as the scenes of a narrated video: article-to-video with `clipModel` against a
 * fake Replicate (its real wire protocol, see cloud-video-queued.test.ts) serving a solid green
 * clip; stories260K writes the script, eSpeak narrates, ffmpeg composes. All offline.
 */
const dir = mkdtempSync(join(tmpdir(), 'shenbi-article-clips-'));
const clipPath = join(dir, 'green.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x20C040:size=320x240:rate=12:duration=1', '-pix_fmt', 'yuv420p', clipPath]);
const clip = readFileSync(clipPath);
Object.assign(process.env, { SHENBI_TEST_REPLICATE_CLIPS: 'r8_clips' });

let fake: FakeServer;
/** Whether the fake refuses every prompt that mentions this word (422, Replicate's error body). */
let refuse: string | undefined;
let shenbi: Shenbi;
const home = join(dir, 'home');

/** A frame at `t` seconds, 32×18 RGB. */
function frameAt(path: string, t: number, size = '32:18'): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', String(t), '-i', path, '-frames:v', '1', '-vf', `scale=${size}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 20 });
}

/** Share of pixels within `tolerance` (per channel) of `rgb`. */
function shareNear(frame: Buffer, rgb: readonly number[], tolerance = 24): number {
  let near = 0;
  for (let i = 0; i < frame.length; i += 3) {
    if (Math.abs(frame[i]! - rgb[0]!) <= tolerance && Math.abs(frame[i + 1]! - rgb[1]!) <= tolerance && Math.abs(frame[i + 2]! - rgb[2]!) <= tolerance) near++;
  }
  return near / (frame.length / 3);
}

before(async () => {
  fake = await startFakeServer((req, res) => {
    const n = fake.requests.filter((r) => r.method === 'POST').length;
    if (req.method === 'POST' && req.url === '/v1/models/minimax/video-01/predictions') {
      if (refuse !== undefined && String((req.body.input as { prompt?: string }).prompt).includes(refuse)) return sendJson(res, 422, { detail: `Invalid input: ${refuse} is not allowed` });
      // Finished within Prefer: wait, as Replicate answers fast models: no polling needed.
      return sendJson(res, 201, { id: `p${n}`, status: 'succeeded', output: `${fake.baseURL}/files/p${n}.mp4`, urls: { get: `${fake.baseURL}/v1/predictions/p${n}` } });
    }
    if (req.url.startsWith('/files/')) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(clip.length) });
      res.end(clip);
      return;
    }
    sendJson(res, 404, { detail: `no route ${req.url}` });
  });
  const providers = [{ name: 'replicate', kind: 'replicate' as const, baseURL: `${fake.baseURL}/v1`, apiKeyEnv: 'SHENBI_TEST_REPLICATE_CLIPS' }];
  shenbi = await Shenbi.open({ overrides: { home, defaultTextModel: 'stories260k', providers } });
  // Until src/engine-steps.ts registers the step, the test does.
  if (!shenbi.steps.has('video.scene-clips')) shenbi.steps.register(sceneClipsStep((spec) => providerVideoModel(spec, { providers: shenbi.config.providers })));
  await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
});

after(async () => {
  await shenbi?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

let scriptId = '';

test('article-to-video with clipModel: a clip per scene from its narration, the clips are the scenes of a labeled, narrated MP4', { timeout: 120_000 }, async () => {
  const article = 'Tea was first drunk in China thousands of years ago. It spread along the trade roads to the rest of Asia and to Europe.';
  const job = await shenbi.run('article-to-video', { article, scenes: 2, aspect: '16:9', clipModel: 'replicate:minimax/video-01', clipStyle: 'watercolour' });
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  scriptId = String(job.outputs!.script);
  const script = JSON.parse((await shenbi.store.artifacts.read(scriptId)).bytes.toString('utf8')) as { scenes: { narration: string; caption: string }[] };
  const posts = fake.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 2, 'one clip per scene');
  const prompts = posts.map((p) => (p.body.input as { prompt: string }).prompt).sort();
  const expected = script.scenes.map((s) => `${(s.narration.trim() || s.caption.trim())}\n\nStyle: watercolour`).sort();
  assert.deepEqual(prompts, expected, 'each scene’s narration is its clip’s prompt');
  assert.equal(posts[0]!.headers.authorization, 'Bearer r8_clips');

  const video = await shenbi.store.artifacts.get(String(job.outputs!.video));
  assert.ok(video.labels.some((l) => l.type.startsWith('aigc')), `labeled: ${JSON.stringify(video.labels.map((l) => l.type))}`);
  const clips = (await shenbi.store.artifacts.list({ limit: 100 })).filter((a) => a.kind === 'video' && a.provenance.model?.name === 'replicate:minimax/video-01');
  assert.equal(clips.length, 2);
  for (const c of clips) assert.ok(video.provenance.parents.includes(c.id), 'the clips are the video’s parents');

  const path = join(dir, 'out.mp4');
  writeFileSync(path, (await shenbi.store.artifacts.read(video.id)).bytes);
  const probe = await probeMedia(path);
  assert.ok(probe.streams.some((s) => s.type === 'audio'), 'narration track');
  assert.ok(Math.abs(probe.duration - Number(job.outputs!.duration)) < 0.3);
  // The fake clip's own decoded colour, then frames in scene 1 and, past the 1 s clip's end
  // (looped), in the last scene: mostly that colour (captions, subtitles and the label cover the rest).
  const own = frameAt(clipPath, 0.5);
  const rgb = [own[0]!, own[1]!, own[2]!];
  assert.ok(shareNear(own, rgb) > 0.99);
  const first = shareNear(frameAt(path, 0.6), rgb);
  const last = shareNear(frameAt(path, Number(job.outputs!.duration) - 0.3), rgb);
  assert.ok(first > 0.6, `scene 1 shows the clip: ${(first * 100).toFixed(0)}% of pixels are its colour`);
  assert.ok(last > 0.6, `the last scene shows a clip: ${(last * 100).toFixed(0)}%`);
});

function narrated(scene: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: 'narrated-scene-test',
    title: 'Narrated scene (test)',
    steps: [{ id: 'v', uses: 'video.narrated', with: { script: { title: 'T', scenes: [{ narration: 'A short line.', caption: 'Hi', ...scene }] }, ...extra } }],
    outputs: { video: { $from: 'v.video' }, duration: { $from: 'v.duration' } },
  };
}

test('a scene whose video is no artifact, or not a video or image, is MEDIA_INVALID', { timeout: 60_000 }, async () => {
  assert.ok(scriptId, 'the first test ran');
  const missing = await shenbi.run(narrated({ video: 'art_does_not_exist' }), {});
  assert.equal(missing.status, 'failed');
  assert.equal(missing.error?.code, 'MEDIA_INVALID', JSON.stringify(missing.error));
  const json = await shenbi.run(narrated({}, { clips: [scriptId] }), {});
  assert.equal(json.status, 'failed');
  assert.equal(json.error?.code, 'MEDIA_INVALID', JSON.stringify(json.error));
  assert.match(String(json.error?.message), /json/);
});

test('clips given in order, a still image among them: the image is scene 1 (its colours), the clip scene 2', { timeout: 60_000 }, async () => {
  const card = await shenbi.generate('image', { prompt: '新年快乐', format: 'png', width: 512, height: 512 });
  assert.equal(card.status, 'completed', JSON.stringify(card.error));
  const image = (await shenbi.store.artifacts.list({ limit: 100 })).find((a) => a.jobId === card.id && a.kind === 'image')!;
  const clipId = (await shenbi.store.artifacts.list({ limit: 100 })).find((a) => a.provenance.model?.name === 'replicate:minimax/video-01')!.id;
  const spec = narrated({}, { clips: [image.id, clipId] });
  spec.steps[0]!.with.script = { title: 'T', scenes: [{ narration: 'The card first.', caption: 'Card' }, { narration: 'Then the clip.', caption: 'Clip' }] };
  const job = await shenbi.run(spec, {});
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const video = await shenbi.store.artifacts.get(String(job.outputs!.video));
  assert.ok(video.provenance.parents.includes(image.id) && video.provenance.parents.includes(clipId));
  const path = join(dir, 'ordered.mp4');
  writeFileSync(path, (await shenbi.store.artifacts.read(video.id)).bytes);
  const imagePath = join(dir, 'card.png');
  writeFileSync(imagePath, (await shenbi.store.artifacts.read(image.id)).bytes);
  const mean = (f: Buffer) => [0, 1, 2].map((c) => { let sum = 0; for (let i = c; i < f.length; i += 3) sum += f[i]!; return sum / (f.length / 3); });
  const still = mean(frameAt(imagePath, 0, '32:32'));
  const scene1 = mean(frameAt(path, 0.5, '32:18'));
  assert.ok(scene1.every((v, c) => Math.abs(v - still[c]!) < 40), `scene 1 ${scene1.map(Math.round)} ≈ the image ${still.map(Math.round)}`);
  const own = frameAt(clipPath, 0.5);
  const share = shareNear(frameAt(path, Number(job.outputs!.duration) - 0.3), [own[0]!, own[1]!, own[2]!]);
  assert.ok(share > 0.6, `scene 2 shows the clip: ${(share * 100).toFixed(0)}%`);
});

test('a clip the provider refuses fails the job with its message (PROVIDER_REJECTED), no video', { timeout: 60_000 }, async () => {
  refuse = 'forbidden';
  try {
    const spec = {
      id: 'scene-clips-test',
      title: 'Scene clips (test)',
      steps: [{ id: 'c', uses: 'video.scene-clips', with: { model: 'replicate:minimax/video-01', retries: 0, script: { title: 'T', scenes: [{ narration: 'A fine scene.', caption: 'a' }, { narration: 'A forbidden scene.', caption: 'b' }] } } }],
      outputs: { clips: { $from: 'c.clips' } },
    };
    const job = await shenbi.run(spec, {});
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code, 'PROVIDER_REJECTED', JSON.stringify(job.error));
    assert.match(String(job.error?.message), /forbidden is not allowed/);
  } finally {
    refuse = undefined;
  }
});
