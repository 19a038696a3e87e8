import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { composeVideo } from '../../src/engines/video/compose-video.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';
import { writeAss } from '../../src/media/subtitles/index.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-video-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A small grey frame at `t` seconds, for comparing pictures. */
function frame(path: string, t: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', String(t), '-i', path, '-frames:v', '1', '-vf', 'scale=160:90', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 20 });
}
function difference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

const scenes = [
  { duration: 2, colors: ['#204060', '#602040'], motion: 'zoom-in' as const },
  { duration: 2, colors: ['#206040'], motion: 'pan-right' as const },
];

for (const aspect of ['16:9', '9:16', '1:1'] as const) {
  test(`${aspect} 720p: H.264 + AAC MP4 with faststart, the expected size, frame rate and length`, async () => {
    const output = join(dir, `out-${aspect.replace(':', 'x')}.mp4`);
    const fractions: number[] = [];
    const result = await composeVideo({ aspect, scenes, transition: 0.5, audio: join(TESTDATA, 'jfk.wav') }, { output, onProgress: (f) => fractions.push(f) });
    const probe = await probeMedia(output);
    const video = probe.streams.find((s) => s.type === 'video')!;
    const audio = probe.streams.find((s) => s.type === 'audio')!;
    assert.equal(video.codec, 'h264');
    assert.equal(audio.codec, 'aac');
    assert.deepEqual([video.width, video.height], [result.width, result.height]);
    assert.deepEqual([result.width, result.height], { '16:9': [1280, 720], '9:16': [720, 1280], '1:1': [720, 720] }[aspect]);
    assert.equal(video.fps, 25);
    assert.ok(Math.abs(probe.duration - 3.5) < 0.1, `${probe.duration} s (2 + 2 − 0.5 fade)`);
    const bytes = readFileSync(output);
    assert.ok(bytes.indexOf('moov') < bytes.indexOf('mdat'), 'faststart: the index comes first');
    assert.ok(fractions.length > 0 && fractions.at(-1)! > 0.9, 'progress reported');
  });
}

test('burned-in subtitles are visible at their cue times and only then', async () => {
  const ass = writeAss([{ start: 1, end: 2, lines: ['新年快乐 Happy New Year'] }], { playResX: 1280, playResY: 720, fontSize: 72 });
  const plain = join(dir, 'plain.mp4');
  const subbed = join(dir, 'subbed.mp4');
  const flat = [{ duration: 3, colors: ['#303030'] }];
  await composeVideo({ scenes: flat }, { output: plain });
  await composeVideo({ scenes: flat, ass }, { output: subbed });
  assert.ok(difference(frame(plain, 1.5), frame(subbed, 1.5)) > 1, 'text drawn during the cue');
  assert.ok(difference(frame(plain, 2.6), frame(subbed, 2.6)) < 0.5, 'nothing drawn after it');
});

test('cancelling kills ffmpeg and leaves no file, partial or final', async () => {
  const output = join(dir, 'cancelled.mp4');
  const controller = new AbortController();
  const pending = composeVideo({ resolution: '1080p', scenes: [{ duration: 60, colors: ['#102030', '#a05020'], motion: 'zoom-in' }] }, { output, signal: controller.signal, onProgress: (f) => { if (f > 0.02) controller.abort(new Error('stop')); } });
  await assert.rejects(pending, /stop/);
  assert.equal(existsSync(output), false);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('cancelled')), []);
});

test('bad input: a missing picture or soundtrack, scenes shorter than the fade, unreadable media', async () => {
  const code = (p: Promise<unknown>, expected: string) => assert.rejects(p, (e: unknown) => e instanceof ShenbiError && e.code === expected);
  await code(composeVideo({ scenes: [{ duration: 1, image: join(dir, 'none.png') }] }, { output: join(dir, 'x.mp4') }), 'MEDIA_INVALID');
  await code(composeVideo({ scenes: [{ duration: 1 }], audio: join(dir, 'none.wav') }, { output: join(dir, 'x.mp4') }), 'MEDIA_INVALID');
  await code(composeVideo({ scenes: [{ duration: 1 }, { duration: 0.3 }], transition: 0.5 }, { output: join(dir, 'x.mp4') }), 'INVALID_INPUT');
  await code(composeVideo({ scenes: [], audio: 'x' } as never, { output: join(dir, 'x.mp4') }), 'INVALID_INPUT');
  await code(probeMedia(join(TESTDATA, 'SOURCES.md')), 'MEDIA_INVALID');
  // An absent font is refused rather than silently replaced (CJK would render as boxes).
  const missingFont = writeAss([{ start: 0, end: 1, lines: ['字'] }], { fontName: 'No Such Font Family 42' });
  await code(composeVideo({ scenes: [{ duration: 1 }], ass: missingFont }, { output: join(dir, 'x.mp4') }), 'ENGINE_UNAVAILABLE');
  assert.equal(existsSync(join(dir, 'x.mp4')), false);
});

test('the AI label is drawn in the encode itself (composer and enhance): on the first 2.5 s, in its corner, gone after', async () => {
  const { createVideoLabeler } = await import('../../src/governance/explicit/video-labeler.ts');
  const { enhanceVideo } = await import('../../src/engines/video/post.ts');
  const labeler = createVideoLabeler({});
  let record: unknown;
  const overlay = async (size: { width: number; height: number }, work: string) => {
    const drawn = await labeler.overlay(size, work);
    record = drawn?.record;
    return drawn?.filter;
  };
  const still = [{ duration: 4, colors: ['#335577'], motion: 'none' as const }];
  const plain = join(dir, 'unlabeled.mp4');
  const labeled = join(dir, 'labeled-in-encode.mp4');
  await composeVideo({ aspect: '16:9', resolution: '720p', scenes: still }, { output: plain });
  await composeVideo({ aspect: '16:9', resolution: '720p', scenes: still }, { output: labeled, overlay });
  assert.equal((record as { type: string }).type, 'aigc-explicit');
  assert.ok((record as { value: { textHeightRatio: number } }).value.textHeightRatio >= 0.05);
  // Top-left corner (the default): different at 0 s and 1.9 s, the same at 3 s.
  const corner = (path: string, t: number) => {
    const f = frame(path, t);
    return Buffer.concat(Array.from({ length: 14 }, (_, row) => f.subarray(row * 160, row * 160 + 48)));
  };
  for (const t of [0, 1.9]) assert.ok(difference(corner(labeled, t), corner(plain, t)) > 5, `label at ${t} s`);
  assert.ok(difference(corner(labeled, 3), corner(plain, 3)) < 1, 'no label at 3 s');
  // The same overlay rides along an edit's own encode.
  const enhanced = join(dir, 'enhanced-labeled.mp4');
  await enhanceVideo(plain, { output: enhanced, overlay });
  assert.ok(difference(corner(enhanced, 1), corner(plain, 1)) > 5, 'enhance drew the label');
});
