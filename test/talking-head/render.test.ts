import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { createVideoLabeler } from '../../src/governance/explicit/video-labeler.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';
import { analyzePortrait, faceMeshTriangles, FACE_PARTS } from '../../src/engines/talking-head/face/index.ts';
import { renderFrameBatch } from '../../src/engines/talking-head/render/frames.ts';
import { presenterLayout, renderTalkingHead, type RenderTalkingHeadOptions } from '../../src/engines/talking-head/render/index.ts';
import { patchRegion } from '../../src/engines/talking-head/render/region.ts';
import type { FaceLandmarks, MouthShape } from '../../src/engines/talking-head/types.ts';
import { closeWorkerPool } from '../../src/workers/pool.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { bestLag, decodeLuma, decodeLumaFrames, meanDifference, mouthOpening, ssimOutside, type Box } from './lip-sync-measures.ts';

const PORTRAIT = join(TESTDATA, 'portrait-astronaut.png');
const JFK = join(TESTDATA, 'jfk.wav');
const SIZE = 512;
const FPS = 25;
const STILL = { blink: false, head: false } as const;

let face: FaceLandmarks;
let dir: string;
let sourceLuma: Uint8Array;

/** The box of a set of landmarks, grown by `grow` pixels (and `below` more at the bottom). */
function boxOf(indices: readonly number[], grow: number, below = 0): Box {
  const xs = indices.map((i) => face.points[i]![0]);
  const ys = indices.map((i) => face.points[i]![1]);
  const x = Math.min(...xs) - grow;
  const y = Math.min(...ys) - grow;
  return { x, y, width: Math.max(...xs) + grow - x, height: Math.max(...ys) + grow + below - y };
}

/** 6 s: the mouth opens (0.8, with 2-frame ramps) in three known intervals and is shut between. */
function knownTrack(): MouthShape[] {
  const open = [[20, 40], [60, 80], [100, 120]] as const;
  return Array.from({ length: 150 }, (_, i) => {
    const inside = open.find(([a, b]) => i >= a && i < b);
    if (inside === undefined) return { open: 0, width: 0, round: 0 };
    const ramp = Math.min(1, (i - inside[0] + 1) / 3, (inside[1] - i) / 3);
    return { open: 0.8 * ramp, width: 0, round: 0 };
  });
}

function options(overrides: Partial<RenderTalkingHeadOptions>): RenderTalkingHeadOptions {
  return { portraitPath: PORTRAIT, face, track: { fps: FPS, frames: knownTrack() }, outPath: join(dir, 'out.mp4'), idle: STILL, seed: 7, ...overrides };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shenbi-render-'));
  face = (await analyzePortrait(new Uint8Array(readFileSync(PORTRAIT)))).face;
  sourceLuma = decodeLuma(PORTRAIT, SIZE, SIZE);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeWorkerPool();
});

describe('talking-head renderer', () => {
  test('a closed mouth with idle off draws the source exactly; an open one changes only the mouth and jaw', () => {
    const region = patchRegion(face.points, SIZE, SIZE);
    const rgb = execFileSync('ffmpeg', ['-v', 'error', '-i', PORTRAIT, '-vf', `crop=${region.width}:${region.height}:${region.x}:${region.y}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    const patch = new Uint8Array(rgb);
    const job = {
      patch, width: region.width, height: region.height, originX: region.x, originY: region.y,
      points: Float64Array.from(face.points.flat()), triangles: Uint32Array.from(faceMeshTriangles()),
      mouth: new Float32Array([0, 0, 0, 1, 0, 0]), fps: FPS, idle: STILL, seed: 1,
    };
    const { frames } = renderFrameBatch(job, 0, 2);
    const bytes = patch.length;
    assert.deepEqual(frames.subarray(0, bytes), patch, 'frame 0 (closed, no idle) is the source patch, byte for byte');
    const open = frames.subarray(bytes);
    let changedAboveNose = 0;
    let changedMouth = 0;
    const eyesBottom = Math.max(...[...FACE_PARTS.leftEyeLower, ...FACE_PARTS.rightEyeLower].map((i) => face.points[i]![1])) + 4 - region.y;
    const mouth = boxOf([...FACE_PARTS.lipsUpperInner, ...FACE_PARTS.lipsLowerInner], 2);
    for (let y = 0; y < region.height; y++) {
      for (let x = 0; x < region.width; x++) {
        const o = (y * region.width + x) * 3;
        const moved = Math.abs(open[o]! - patch[o]!) + Math.abs(open[o + 1]! - patch[o + 1]!) + Math.abs(open[o + 2]! - patch[o + 2]!) > 30;
        if (moved && y < eyesBottom) changedAboveNose++;
        const ix = x + region.x;
        const iy = y + region.y;
        if (moved && ix >= mouth.x && ix < mouth.x + mouth.width && iy >= mouth.y && iy < mouth.y + mouth.height) changedMouth++;
      }
    }
    assert.equal(changedAboveNose, 0, 'the eyes and forehead stay put when only the mouth opens');
    assert.ok(changedMouth > 0.3 * mouth.width * mouth.height, `the open mouth changes its box (${changedMouth} px)`);
  });

  test('renders H.264/AAC MP4 whose mouth opens exactly when the track does and nothing outside the face changes', async () => {
    const progress: number[] = [];
    const result = await renderTalkingHead(options({ audioPath: JFK, onProgress: (f) => progress.push(f) }));
    assert.equal(result.frames, 150);
    assert.equal(result.duration, 6);
    assert.ok(progress.length >= 6 && progress.at(-1) === 1 && progress.every((f, i) => i === 0 || f >= progress[i - 1]!), `progress ${progress.join(' ')}`);
    const probe = await probeMedia(join(dir, 'out.mp4'));
    const video = probe.streams.find((s) => s.type === 'video');
    const audio = probe.streams.find((s) => s.type === 'audio');
    assert.equal(video?.codec, 'h264');
    assert.equal(audio?.codec, 'aac');
    assert.deepEqual([video?.width, video?.height, video?.fps], [SIZE, SIZE, FPS]);
    assert.ok(Math.abs(probe.duration - 6) < 0.1, `duration ${probe.duration}`);
    const pixFmt = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=pix_fmt', '-of', 'csv=p=0', join(dir, 'out.mp4')], { encoding: 'utf8' }).trim();
    assert.equal(pixFmt, 'yuv420p');
    assert.match(readFileSync(join(dir, 'out.mp4')).subarray(0, 64).toString('latin1'), /ftyp[\s\S]*/);

    const frames = decodeLumaFrames(join(dir, 'out.mp4'), SIZE, SIZE);
    assert.equal(frames.length, 150);
    for (const i of [0, 30, 75, 149]) {
      const ssim = ssimOutside(frames[i]!, sourceLuma, SIZE, SIZE, result.region);
      assert.ok(ssim >= 0.98, `frame ${i}: SSIM outside the face ${ssim.toFixed(4)}`);
    }
    // The mouth box and the opening signal come from the source's landmarks and the output's pixels only.
    const mouthBox = boxOf([...FACE_PARTS.lipsUpperInner, ...FACE_PARTS.lipsLowerInner], 1, 6);
    const opening = mouthOpening(frames, SIZE, mouthBox);
    const track = knownTrack().map((s) => s.open);
    const { lag, correlation } = bestLag(track, opening, 5);
    assert.ok(Math.abs(lag) <= 1, `the mouth lags the track by ${lag} frames`);
    assert.ok(correlation > 0.85, `mouth opening vs track: r = ${correlation.toFixed(3)}`);
    // Shut, the mouth is the source's up to encode noise (x264 settles a little off the source
    // after a change), and does not move from frame to frame; open, it is far from it.
    for (const [from, to] of [[0, 20], [42, 58], [82, 98], [122, 150]] as const) {
      for (let i = from; i < to; i++) {
        const noise = meanDifference(frames[i]!, sourceLuma, SIZE, mouthBox);
        assert.ok(noise < 4, `frame ${i} (shut) differs from the source's mouth by ${noise.toFixed(2)}`);
        if (i > from) assert.ok(meanDifference(frames[i]!, frames[i - 1]!, SIZE, mouthBox) < 1, `the shut mouth moves at frame ${i}`);
      }
    }
    for (const i of [30, 70, 110]) assert.ok(meanDifference(frames[i]!, sourceLuma, SIZE, mouthBox) > 20, `frame ${i} (open) differs in the mouth by only ${meanDifference(frames[i]!, sourceLuma, SIZE, mouthBox).toFixed(2)}`);
  });

  test('with idle motion on the eyes blink and the head moves, still only inside the patch', async () => {
    const shut = Array.from({ length: 200 }, () => ({ open: 0, width: 0, round: 0 }));
    const result = await renderTalkingHead(options({ track: { fps: FPS, frames: shut }, idle: { blink: true, head: false }, outPath: join(dir, 'blink.mp4') }));
    const frames = decodeLumaFrames(join(dir, 'blink.mp4'), SIZE, SIZE);
    const eyes = boxOf([...FACE_PARTS.rightEyeUpper, ...FACE_PARTS.rightEyeLower, ...FACE_PARTS.leftEyeUpper, ...FACE_PARTS.leftEyeLower], 2);
    const change = frames.map((frame) => meanDifference(frame, sourceLuma, SIZE, eyes));
    const blinking = change.filter((c) => c > 8).length;
    const still = change.filter((c) => c < 4).length;
    // 8 s holds 1–4 blinks of about 4 frames each; the eyes rest between them.
    assert.ok(blinking >= 2 && blinking <= 24, `frames with the eyes closing: ${blinking} (changes ${change.map((c) => c.toFixed(1)).join(' ')})`);
    assert.ok(still >= 150, `frames with the eyes open and still: ${still}`);

    const moving = await renderTalkingHead(options({ track: { fps: FPS, frames: shut.slice(0, 125) }, idle: { blink: false, head: true }, outPath: join(dir, 'head.mp4') }));
    const headFrames = decodeLumaFrames(join(dir, 'head.mp4'), SIZE, SIZE);
    const face = boxOf(FACE_PARTS.faceOval, -10);
    const drift = headFrames.map((frame) => meanDifference(frame, headFrames[0]!, SIZE, face));
    assert.ok(Math.max(...drift) > 1.5, `the head moves (largest change ${Math.max(...drift).toFixed(2)})`);
    for (const i of [0, 60, 124]) assert.ok(ssimOutside(headFrames[i]!, sourceLuma, SIZE, SIZE, moving.region) >= 0.98, `frame ${i} outside the patch`);
    assert.deepEqual(moving.region, result.region);
  });

  test('the label and subtitles are drawn in the same encode, and short audio is padded to the video', async () => {
    const labeler = createVideoLabeler();
    const label = await labeler.overlay({ width: SIZE, height: SIZE }, dir);
    assert.ok(label !== undefined);
    const ass = join(dir, 'subs.ass');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ass, ['[Script Info]', 'ScriptType: v4.00+', `PlayResX: ${SIZE}`, `PlayResY: ${SIZE}`, '', '[V4+ Styles]',
      'Format: Name, Fontname, Fontsize, PrimaryColour, OutlineColour, BackColour, Bold, BorderStyle, Outline, Shadow, Alignment, MarginV',
      'Style: Default,DejaVu Sans,40,&H00FFFFFF,&H00000000,&H00000000,1,1,3,0,2,20', '', '[Events]',
      'Format: Layer, Start, End, Style, Text', 'Dialogue: 0,0:00:00.00,0:00:05.00,Default,HELLO WORLD'].join('\n'));
    const short = join(dir, 'short.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', JFK, '-t', '0.4', short]);
    await renderTalkingHead(options({ track: { fps: FPS, frames: knownTrack().slice(0, 25) }, audioPath: short, labelFilter: label.filter, subtitlesPath: ass, outPath: join(dir, 'labeled.mp4') }));
    const durations = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,duration', '-of', 'csv=p=0', join(dir, 'labeled.mp4')], { encoding: 'utf8' });
    for (const line of durations.trim().split('\n')) {
      const [type, seconds] = line.split(',');
      assert.ok(Math.abs(Number(seconds) - 1) < 0.05, `${type} lasts ${seconds} s, not the video's 1 s`);
    }
    const frame = decodeLumaFrames(join(dir, 'labeled.mp4'), SIZE, SIZE)[0]!;
    const bottom = { x: 0, y: SIZE - 90, width: SIZE, height: 90 };
    assert.ok(meanDifference(frame, sourceLuma, SIZE, bottom) > 5, 'subtitles/label change the bottom of the frame');
  });

  test('the presenter layout puts the portrait on a 9:16 canvas with its landmarks moved along, and renders at 1080×1920', async () => {
    const layout = await presenterLayout({ portraitPath: PORTRAIT, face, outPath: join(dir, 'presenter.png') });
    const meta = await sharp(layout.path).metadata();
    assert.deepEqual([meta.width, meta.height, layout.width, layout.height], [1080, 1920, 1080, 1920]);
    // Landmarks found afresh on the canvas agree with the moved ones, up to the detector's own
    // scatter between scales (the face is 2.1× larger there): within 5 % of the face's width.
    const found = (await analyzePortrait(new Uint8Array(readFileSync(layout.path)))).face;
    const tolerance = 0.05 * layout.face.box.width;
    for (const index of [61, 291, 13, 14, 152, 33, 263, 1]) {
      const [x, y] = layout.face.points[index]!;
      const [fx, fy] = found.points[index]!;
      assert.ok(Math.hypot(x - fx, y - fy) < tolerance, `landmark ${index}: moved (${x.toFixed(1)}, ${y.toFixed(1)}), found (${fx.toFixed(1)}, ${fy.toFixed(1)}), tolerance ${tolerance.toFixed(1)}`);
    }
    const result = await renderTalkingHead(options({ portraitPath: layout.path, face: layout.face, track: { fps: FPS, frames: knownTrack().slice(15, 40) }, outPath: join(dir, 'presenter.mp4') }));
    const probe = await probeMedia(join(dir, 'presenter.mp4'));
    const video = probe.streams.find((s) => s.type === 'video');
    assert.deepEqual([video?.width, video?.height], [1080, 1920]);
    assert.ok(result.region.width > 2 * patchRegion(face.points, SIZE, SIZE).width - 8, 'the animated patch scales with the face');
  });

  test('aborting kills ffmpeg and leaves no file', async () => {
    const controller = new AbortController();
    const long = Array.from({ length: 25 * 30 }, (_, i) => ({ open: (i % 20) / 20, width: 0, round: 0 }));
    const out = join(dir, 'aborted.mp4');
    const before = new Set(readdirSync(dir));
    await assert.rejects(
      renderTalkingHead(options({ track: { fps: FPS, frames: long }, outPath: out, signal: controller.signal, onProgress: () => controller.abort() })),
      (error: unknown) => error instanceof ShenbiError && error.code === 'JOB_CANCELLED',
    );
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(dir).filter((name) => !before.has(name)), [], 'no partial file is left beside the output');
  });

  test('bad input is a clear error, not a crash', async () => {
    const odd = join(dir, 'odd.png');
    await sharp(PORTRAIT).resize(511, 512).toFile(odd);
    await assert.rejects(renderTalkingHead(options({ portraitPath: odd })), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT' && /even/.test(error.message));
    const shifted = { ...face, points: face.points.map(([x, y]) => [x + 400, y] as const) };
    await assert.rejects(renderTalkingHead(options({ face: shifted })), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT' && /outside/.test(error.message));
    await assert.rejects(renderTalkingHead(options({ track: { fps: FPS, frames: [] } })), (error: unknown) => error instanceof ShenbiError && error.code === 'INVALID_INPUT');
    await assert.rejects(renderTalkingHead(options({ portraitPath: join(dir, 'missing.png') })), (error: unknown) => error instanceof ShenbiError && error.code === 'MEDIA_INVALID');
    assert.equal(existsSync(join(dir, 'out.mp4')) && false, false);
  });
});
