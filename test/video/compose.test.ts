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
