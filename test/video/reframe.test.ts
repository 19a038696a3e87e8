import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { grabFrame } from '../../src/engines/video/frames.ts';
import { stabilize, toPortrait } from '../../src/engines/video/reframe.ts';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-reframe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function brightPixels(frame: { data: Buffer }): number {
  let n = 0;
  for (let i = 0; i < frame.data.length; i += 3) if (frame.data[i]! > 200 && frame.data[i + 1]! > 200 && frame.data[i + 2]! > 200) n++;
  return n;
}

test('landscape to portrait: the follow crop keeps a moving subject in the frame (a centre crop loses it); blur fill keeps it all', async () => {
  const clip = join(dir, 'moving.mp4');
  // A white square crossing a black 16:9 frame from left to right in 4 s.
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=1280x720:r=25:d=4', '-f', 'lavfi', '-i', 'color=c=white:s=80x80:r=25:d=4', '-filter_complex', "[0][1]overlay=x='40+280*t':y=320", '-pix_fmt', 'yuv420p', clip]);
  const follow = join(dir, 'follow.mp4');
  const result = await toPortrait(clip, { output: follow, mode: 'follow' });
  assert.deepEqual([result.width, result.height], [720, 1280]);
  const probe = await probeMedia(follow);
  assert.deepEqual([probe.streams[0]!.width, probe.streams[0]!.height], [720, 1280]);
  const centre = join(dir, 'centre.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-i', clip, '-vf', 'crop=406:720,scale=720:1280', '-pix_fmt', 'yuv420p', centre]);
  let followed = 0;
  let centred = 0;
  for (const t of [0.3, 1, 2, 3, 3.7]) {
    if (brightPixels(await grabFrame(follow, t, 90)) > 20) followed++;
    if (brightPixels(await grabFrame(centre, t, 90)) > 20) centred++;
  }
  assert.equal(followed, 5, 'the subject is inside every sampled portrait frame');
  assert.ok(centred <= 2, `a fixed centre crop loses it (${centred}/5)`);

  const blur = join(dir, 'blur.mp4');
  await toPortrait(clip, { output: blur, mode: 'blur' });
  for (const t of [0.3, 3.7]) assert.ok(brightPixels(await grabFrame(blur, t, 90)) > 5);
});

test('stabilisation measurably reduces frame-to-frame jitter of a shaky clip', async () => {
  const shaky = join(dir, 'shaky.mp4');
  // A detailed test pattern seen through a crop window that jumps around every frame.
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=800x450:rate=25:duration=4', '-vf', "crop=640:360:x='80+30*sin(n*1.7)':y='45+20*cos(n*2.3)'", '-pix_fmt', 'yuv420p', shaky]);
  const steady = join(dir, 'steady.mp4');
  await stabilize(shaky, { output: steady });
  // Jitter: mean absolute difference between consecutive frames of the central region.
  const jitter = (path: string) => {
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-vf', 'crop=320:180:160:90,scale=160:90', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 64 << 20 });
    const size = 160 * 90;
    let sum = 0;
    let pairs = 0;
    for (let f = size; f + size <= raw.length; f += size) {
      let d = 0;
      for (let i = 0; i < size; i++) d += Math.abs(raw[f + i]! - raw[f - size + i]!);
      sum += d / size;
      pairs++;
    }
    return sum / pairs;
  };
  const before = jitter(shaky);
  const after = jitter(steady);
  assert.ok(after < before * 0.75, `jitter ${before.toFixed(2)} → ${after.toFixed(2)}`);
});

test('enhancement removes noise, sharpens a soft picture, and can double the resolution', async () => {
  const { enhanceVideo } = await import('../../src/engines/video/post.ts');
  const { scoreFrame } = await import('../../src/engines/video/smart-cover.ts');
  // Temporal noise on a still picture: the mean difference between consecutive frames.
  const temporalNoise = (path: string) => {
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-vf', 'scale=160:90', '-frames:v', '10', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 16 << 20 });
    const size = 160 * 90;
    let sum = 0;
    for (let f = size; f + size <= raw.length; f += size) for (let i = 0; i < size; i++) sum += Math.abs(raw[f + i]! - raw[f - size + i]!);
    return sum / (raw.length - size);
  };
  const noisy = join(dir, 'noisy.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'smptebars=size=320x180:rate=25:duration=2', '-vf', 'noise=alls=20:allf=t', '-pix_fmt', 'yuv420p', '-crf', '10', noisy]);
  const denoised = join(dir, 'denoised.mp4');
  await enhanceVideo(noisy, { output: denoised, strength: 'strong' });
  const before = temporalNoise(noisy);
  const after = temporalNoise(denoised);
  assert.ok(after < before * 0.8, `temporal noise ${before.toFixed(2)} → ${after.toFixed(2)}`);

  const soft = join(dir, 'soft.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'smptebars=size=320x180:rate=25:duration=2', '-vf', 'boxblur=2', '-pix_fmt', 'yuv420p', '-crf', '10', soft]);
  const sharper = join(dir, 'sharper.mp4');
  await enhanceVideo(soft, { output: sharper, upscale: 2 });
  const probe = await probeMedia(sharper);
  assert.deepEqual([probe.streams[0]!.width, probe.streams[0]!.height], [640, 360]);
  const edgesBefore = scoreFrame(await grabFrame(soft, 1, 320)).sharpness;
  const edgesAfter = scoreFrame(await grabFrame(sharper, 1, 320)).sharpness;
  assert.ok(edgesAfter > edgesBefore * 1.1, `edge energy ${edgesBefore.toFixed(0)} → ${edgesAfter.toFixed(0)}`);
});
