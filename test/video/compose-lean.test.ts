import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { composeVideo } from '../../src/engines/video/compose-video.ts';
import { parseLrc } from '../../src/media/subtitles/index.ts';
import { lyricScenes } from '../../src/pipelines/steps/video/lyric-scenes.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'shenbi-video-lean-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** ffmpeg's mean SSIM (All) of b against a, frame by frame. */
async function ssim(a: string, b: string): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-i', a, '-i', b, '-lavfi', '[0:v][1:v]ssim', '-f', 'null', '-'], { maxBuffer: 1 << 24 });
  const all = /SSIM .* All:([\d.]+)/.exec(stderr);
  assert.ok(all, stderr.slice(-500));
  return Number(all[1]);
}
async function frameCount(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}
/** Mean absolute difference of two frames (small grey copies). */
async function frameDifference(path: string, t1: number, t2: number): Promise<number> {
  const grab = async (t: number) => (await run('ffmpeg', ['-v', 'error', '-ss', String(t), '-i', path, '-frames:v', '1', '-vf', 'scale=90:160', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { encoding: 'buffer', maxBuffer: 1 << 20 })).stdout;
  const [a, b] = await Promise.all([grab(t1), grab(t2)]);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

test('a picture with Ken Burns motion, decoded once and zoomed in yuv420p, matches the per-frame `-loop 1` graph it replaced', async () => {
  const scenes = [
    { image: join(TESTDATA, 'portrait-astronaut.png'), duration: 2, motion: 'zoom-in' as const },
    { image: join(TESTDATA, 'portrait-astronaut.png'), duration: 1.6, motion: 'pan-left' as const },
  ];
  const lean = join(dir, 'lean.mp4');
  await composeVideo({ aspect: '9:16', scenes }, { output: lean });

  // The graph before: the PNG read for every frame (`-loop 1`), zoompan on RGB, then yuv420p.
  const picture = join(dir, 'picture.png');
  await sharp(scenes[0]!.image).resize(720, 1280, { fit: 'cover' }).png().toFile(picture);
  const common = 'd=1:s=720x1280:fps=25';
  const graph = [
    `[0:v]zoompan=z='1+0.12*on/49':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':${common},setsar=1,format=yuv420p,trim=duration=2.000,setpts=PTS-STARTPTS[s0]`,
    `[1:v]zoompan=z='1.12':x='(iw-iw/zoom)*(1-on/39)':y='ih/2-(ih/zoom/2)':${common},setsar=1,format=yuv420p,trim=duration=1.600,setpts=PTS-STARTPTS[s1]`,
    '[s0][s1]concat=n=2:v=1:a=0[cat]',
  ].join(';');
  const before = join(dir, 'before.mp4');
  await run('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-framerate', '25', '-t', '2.000', '-i', picture, '-loop', '1', '-framerate', '25', '-t', '1.600', '-i', picture, '-filter_complex', graph, '-map', '[cat]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-pix_fmt', 'yuv420p', '-r', '25', '-t', '3.600', before]);

  assert.equal(await frameCount(lean), await frameCount(before));
  const score = await ssim(before, lean);
  assert.ok(score >= 0.99, `SSIM ${score} against the old graph`);
  assert.ok((await frameDifference(lean, 0.1, 1.9)) > 1, 'the zoom still moves the picture');
});

test('lyric scenes: still gradients, because the zoom they dropped was below the encoder\'s own error', async () => {
  const { scenes } = lyricScenes(parseLrc('[00:01.00]新年快乐\n[00:03.00]万事如意'), 5, 1);
  assert.deepEqual(scenes.map((s) => s.motion), ['none', 'none', 'none']);
  assert.deepEqual(scenes.map((s) => s.duration), [1, 2, 2]);
  // The strongest palette change, zoomed as lyric scenes used to be, against the same still.
  const colors = ['#5b0e2d', '#ffa372'];
  const moving = join(dir, 'moving.mp4');
  const still = join(dir, 'still.mp4');
  await composeVideo({ aspect: '9:16', scenes: [{ duration: 2.8, colors, motion: 'zoom-in' }] }, { output: moving });
  await composeVideo({ aspect: '9:16', scenes: [{ duration: 2.8, colors, motion: 'none' }] }, { output: still });
  const score = await ssim(moving, still);
  assert.ok(score >= 0.99, `SSIM ${score}: a zoom over a gradient is visible after all`);
  assert.ok((await frameDifference(still, 0.1, 2.6)) < 0.01, 'the still background does not move');
});
