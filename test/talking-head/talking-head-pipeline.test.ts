import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isShenbiError } from '../../src/core/errors.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { findPipeline } from '../../src/pipelines/registry.ts';
import { analyzePortrait } from '../../src/engines/talking-head/face/index.ts';
import { FACE_PARTS } from '../../src/engines/talking-head/face/face-parts.ts';
import type { FaceAnalysis } from '../../src/engines/talking-head/types.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { audioEnvelope, bestLag, decodeAudio, decodeLuma, decodeLumaFrames, meanDifference, mouthOpening, ssimOutside, type Box } from './lip-sync-measures.ts';

/**
 * Issue #20's "must show", measured from the output files alone: lip sync by
 * cross-correlating the mouth's opening (dark cavity pixels in each decoded frame) with the
 * audio's envelope, SSIM outside the face against the source portrait, stillness in silence,
 * and the consent matrix at submission.
 */

const PORTRAIT = join(TESTDATA, 'portrait-astronaut.png');
const JFK = join(TESTDATA, 'jfk.wav');
const JFK_WORDS = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const CONSENT = { subject: 'Eileen Collins (NASA portrait)', basis: 'public-domain' } as const;
const FPS = 25;

let home: string;
let shenbi: Shenbi;
let source: FaceAnalysis;
let sourceLuma: Uint8Array;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-talking-head-'));
  shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [TESTDATA, home] } });
  source = await analyzePortrait(readFileSync(PORTRAIT));
  sourceLuma = decodeLuma(PORTRAIT, 512, 512);
});

after(async () => {
  await shenbi?.close();
  await rm(home, { recursive: true, force: true });
});

/** The box the mouth can occupy: corners to lower lip, plus the jaw's drop below it. */
function mouthBox(face: FaceAnalysis['face']): Box {
  const lips = [...FACE_PARTS.lipsUpperInner, ...FACE_PARTS.lipsLowerInner].map((i) => face.points[i]!);
  const xs = lips.map((p) => p[0]);
  const ys = lips.map((p) => p[1]);
  const width = Math.max(...xs) - Math.min(...xs);
  return { x: Math.min(...xs) + width * 0.15, y: Math.min(...ys) - 1, width: width * 0.7, height: Math.max(...ys) - Math.min(...ys) + width * 0.35 };
}

/** The face with room for the jaw and head sway: everything outside must stay as it was. */
function faceRegion(face: FaceAnalysis['face']): Box {
  const { box } = face;
  return { x: box.x - box.width * 0.35, y: box.y - box.height * 0.35, width: box.width * 1.7, height: box.height * 1.85 };
}

async function videoOf(job: Awaited<ReturnType<Shenbi['run']>>): Promise<string> {
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const { bytes } = await shenbi.store.artifacts.read(job.outputs!.video as string);
  const path = join(home, `${job.id}.mp4`);
  await writeFile(path, bytes);
  return path;
}

test('a 10 s clip from a script: H.264/AAC 512×512 at 25 fps, lips in sync with the voice (|offset| ≤ 40 ms), the picture outside the face unchanged (SSIM ≥ 0.98)', async () => {
  const text = 'Good evening. Today we look at the stars above the station, and at the people who keep it flying. Thank you for watching.';
  const job = await shenbi.run('talking-head', { portrait: PORTRAIT, text, consent: CONSENT, seed: 1 });
  const path = await videoOf(job);
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path]).toString()) as { streams: { codec_name: string; width?: number; height?: number; r_frame_rate?: string }[]; format: { duration: string } };
  assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  const picture = probe.streams.find((s) => s.codec_name === 'h264')!;
  assert.deepEqual([picture.width, picture.height, picture.r_frame_rate], [512, 512, '25/1']);
  const duration = Number(probe.format.duration);
  assert.ok(duration > 6 && Math.abs(duration - (job.outputs!.duration as number)) < 0.2, `duration ${duration} vs speech ${job.outputs!.duration}`);
  assert.equal(job.outputs!.lipSync, 'speech-phonemes');

  const frames = decodeLumaFrames(path, 512, 512);
  const opening = mouthOpening(frames, 512, mouthBox(source.face));
  const envelope = audioEnvelope(decodeAudio(path), 16_000, FPS, frames.length);
  // The first second carries the audible AI label (a tone rhythm mixed over the speech): left out.
  const sync = bestLag(envelope, opening, 8, FPS);
  console.log(`# script: lip-sync lag ${sync.lag} frames (${sync.lag * 40} ms), r = ${sync.correlation.toFixed(2)}`);
  assert.ok(Math.abs(sync.lag) <= 1, `lip-sync offset ${sync.lag * 40} ms`);
  assert.ok(sync.correlation > 0.4, `the mouth follows the voice (r = ${sync.correlation.toFixed(2)})`);

  const region = faceRegion(source.face);
  // From 3 s on: the explicit AI label is drawn on the first 2.5 s, in a corner, as it should be.
  const after = 3 * FPS;
  for (const i of [after, Math.floor((after + frames.length) / 2), frames.length - 1]) {
    const ssim = ssimOutside(frames[i]!, sourceLuma, 512, 512, region);
    assert.ok(ssim >= 0.98, `frame ${i}: SSIM outside the face ${ssim.toFixed(4)}`);
  }
  const video = await shenbi.store.artifacts.get(job.outputs!.video as string);
  assert.deepEqual(video.provenance.parameters.consent, CONSENT, 'consent recorded in the provenance');
  assert.ok(video.labels.some((l) => l.type === 'aigc-explicit'), 'explicit label recorded');
});

test('your own recording and its words (jfk.wav): aligned lip sync, the mouth moves while he speaks and is still in his pauses', async () => {
  const job = await shenbi.run('talking-head', { portrait: PORTRAIT, audio: JFK, text: JFK_WORDS, consent: CONSENT, blink: false, headMotion: false });
  const path = await videoOf(job);
  assert.equal(job.outputs!.lipSync, 'aligned-words');
  const frames = decodeLumaFrames(path, 512, 512);
  const mouth = mouthBox(source.face);
  const opening = mouthOpening(frames, 512, mouth);
  const envelope = audioEnvelope(decodeAudio(path), 16_000, FPS, frames.length);
  const sync = bestLag(envelope, opening, 8, FPS);
  console.log(`# jfk.wav: lip-sync lag ${sync.lag} frames (${sync.lag * 40} ms), r = ${sync.correlation.toFixed(2)}`);
  assert.ok(Math.abs(sync.lag) <= 1, `lip-sync offset ${sync.lag * 40} ms`);

  // Silence and speech from the audio alone: the quietest and loudest runs of frames.
  const peak = Math.max(...envelope);
  const silent: number[] = [];
  const speaking: number[] = [];
  for (let i = FPS + 2; i < frames.length - 2; i++) {
    const around = envelope.slice(i - 2, i + 3);
    if (Math.max(...around) < peak * 0.03) silent.push(i);
    if (Math.min(...around.slice(1, 4)) > peak * 0.15) speaking.push(i);
  }
  assert.ok(silent.length >= 5 && speaking.length >= 20, `found ${silent.length} silent and ${speaking.length} speaking frames`);
  const changeAt = (i: number) => meanDifference(frames[i]!, frames[i - 1]!, 512, mouth);
  const stillness = silent.reduce((s, i) => s + changeAt(i), 0) / silent.length;
  const motion = speaking.reduce((s, i) => s + changeAt(i), 0) / speaking.length;
  console.log(`# mouth change per frame: ${motion.toFixed(2)} speaking, ${stillness.toFixed(2)} silent`);
  assert.ok(stillness < 0.6, `the mouth is still in silence (${stillness.toFixed(2)} grey levels a frame)`);
  assert.ok(motion > 4 * stillness + 0.5, `the mouth moves while speaking (${motion.toFixed(2)} vs ${stillness.toFixed(2)})`);
});

test('consent: a real photo without it is refused at submission (no job, no artifact); invalid consent too; a generated face needs none', async () => {
  const jobsBefore = (await shenbi.store.jobs.list()).length;
  const artifactsBefore = (await shenbi.store.artifacts.list()).length;
  const refused = (reason: string) => (error: unknown) => isShenbiError(error) && error.code === 'GOVERNANCE_REFUSED' && (error.details as { reason?: string }).reason === reason;
  await assert.rejects(shenbi.runner.submit(findPipeline('talking-head'), { portrait: PORTRAIT, text: 'hello' }), refused('consent.missing'));
  await assert.rejects(shenbi.runner.submit(findPipeline('talking-head'), { portrait: PORTRAIT, text: 'hello', consent: { subject: 'Eileen Collins', basis: 'found it online' } }), refused('consent.invalid'));
  await assert.rejects(shenbi.runner.submit(findPipeline('talking-head'), { portrait: PORTRAIT, text: 'hello', consent: { basis: 'self' } }), refused('consent.invalid'));
  assert.equal((await shenbi.store.jobs.list()).length, jobsBefore, 'no job was stored');
  assert.equal((await shenbi.store.artifacts.list()).length, artifactsBefore, 'no artifact was stored');

  // A picture Shenbi drew from words is no one's likeness: no consent asked. (A card has no face, so the job then fails on that.)
  const card = await shenbi.run({ id: 'card', title: 'card', steps: [{ id: 'card', uses: 'image.card', with: { title: '你好', text: '大家好', seed: 2 } }], outputs: { image: { $from: 'card.image' } } }, {});
  const drawn = await shenbi.run('talking-head', { portrait: card.outputs!.image as string, text: 'hello' });
  assert.equal(drawn.status, 'failed');
  assert.equal(drawn.error?.code, 'FACE_NOT_USABLE', JSON.stringify(drawn.error));
});

test('bad input is refused early with a clear code: a script over 20,000 characters, a 0.1 s recording, neither text nor audio', async () => {
  const started = Date.now();
  const long = await shenbi.run('talking-head', { portrait: PORTRAIT, consent: CONSENT, text: '今天天气很好。'.repeat(3000) });
  assert.equal(long.error?.code, 'INVALID_INPUT', JSON.stringify(long.error));
  const blip = join(home, 'blip.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=0.1', blip]);
  const short = await shenbi.run('talking-head', { portrait: PORTRAIT, consent: CONSENT, audio: blip });
  assert.equal(short.error?.code, 'MEDIA_INVALID', JSON.stringify(short.error));
  const nothing = await shenbi.run('talking-head', { portrait: PORTRAIT, consent: CONSENT });
  assert.equal(nothing.error?.code, 'INVALID_INPUT', JSON.stringify(nothing.error));
  assert.ok(Date.now() - started < 30_000, 'refused before any rendering');
});

test('layout=presenter: a 9:16 frame (720×1280) with the portrait over a blurred copy and the words as subtitles below', async () => {
  const job = await shenbi.run('talking-head', { portrait: PORTRAIT, text: 'Hello, and welcome to the evening news.', consent: CONSENT, layout: 'presenter' });
  const path = await videoOf(job);
  const frames = decodeLumaFrames(path, 720, 1280);
  assert.ok(frames.length >= 25, `${frames.length} frames of 720×1280`);
  // The subtitle band: white letters over the darkened background, while the words are spoken.
  const middle = frames[Math.floor(frames.length / 2)]!;
  let white = 0;
  for (let y = Math.round(1280 * 0.8); y < 1280; y++) for (let x = 0; x < 720; x++) if (middle[y * 720 + x]! > 230) white++;
  assert.ok(white > 300, `subtitle pixels in the lower band: ${white}`);
  const video = await shenbi.store.artifacts.get(job.outputs!.video as string);
  assert.equal(video.provenance.parameters.resolution, '720x1280');
});
