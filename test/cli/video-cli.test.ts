import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { probeMedia } from '../../src/engines/video/run-ffmpeg.ts';
import { runCli } from '../helpers/cli.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-video-cli-'));
after(() => rmSync(home, { recursive: true, force: true }));

interface RunJson {
  job: { status: string; outputs: Record<string, unknown> };
  artifacts: { path: string; mimeType: string; kind: string; labels: { type: string }[] }[];
}

test('lyric-video end to end offline: a labeled MP4 as long as the song, with picture and sound, lyrics drawn on their lines', async () => {
  const r = await runCli(['--json', 'run', 'lyric-video', '--set', 'lyrics=祝妈妈身体健康\n新年快乐万事如意', '--set', 'title=新年歌', '--set', 'aspect=9:16'], { home });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunJson;
  const video = out.artifacts.find((a) => a.mimeType === 'video/mp4')!;
  const song = out.artifacts.find((a) => a.mimeType === 'audio/mpeg')!;
  assert.ok(video.labels.some((l) => l.type.startsWith('aigc')));
  const probe = await probeMedia(video.path);
  const songProbe = await probeMedia(song.path);
  const v = probe.streams.find((s) => s.type === 'video')!;
  assert.deepEqual([v.codec, v.width, v.height], ['h264', 720, 1280]);
  assert.ok(probe.streams.some((s) => s.type === 'audio' && s.codec === 'aac'));
  assert.ok(Math.abs(probe.duration - songProbe.duration) < 0.3, `video ${probe.duration} s vs song ${songProbe.duration} s`);
  // Scenes cut on the lyric timings: a frame inside each line's scene differs from the intro.
  const grab = (t: number) => execFileSync('ffmpeg', ['-v', 'error', '-ss', String(t), '-i', video.path, '-frames:v', '1', '-vf', 'scale=72:128', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 20 });
  const intro = grab(1);
  const line = grab(Number(out.job.outputs.duration) / 2);
  let diff = 0;
  for (let i = 0; i < intro.length; i++) diff += Math.abs(intro[i]! - line[i]!);
  assert.ok(diff / intro.length > 2, 'a different scene during the lyrics');
});

test('article-to-video end to end offline (stories260K writes the script, eSpeak narrates): narrated, captioned MP4', async () => {
  const { TESTDATA } = await import('../helpers/testdata.ts');
  assert.equal((await runCli(['models', 'import', join(TESTDATA, 'stories260K.gguf'), '--name', 'stories260k'], { home })).status, 0);
  const article = 'Tea was first drunk in China thousands of years ago. It spread along the trade roads to the rest of Asia and to Europe. Today it is the most popular drink after water.';
  const r = await runCli(['--json', 'run', 'article-to-video', '--set', `article=${article}`, '--set', 'scenes=3', '--set', 'aspect=1:1'], { home, env: { SHENBI_TEXT_MODEL: 'stories260k' } });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunJson;
  const video = out.artifacts.find((a) => a.mimeType === 'video/mp4')!;
  const script = JSON.parse((await import('node:fs')).readFileSync(out.artifacts.find((a) => a.kind === 'json')!.path, 'utf8')) as { scenes: unknown[] };
  assert.equal(script.scenes.length, 3);
  const probe = await probeMedia(video.path);
  const v = probe.streams.find((s) => s.type === 'video')!;
  assert.deepEqual([v.codec, v.width, v.height], ['h264', 720, 720]);
  const audio = probe.streams.find((s) => s.type === 'audio');
  assert.ok(audio, 'narration track');
  assert.ok(Math.abs(probe.duration - Number(out.job.outputs.duration)) < 0.3);
  // The narration is real speech: the audio track is not silent.
  const level = execFileSync('sh', ['-c', `ffmpeg -v info -i '${video.path}' -af volumedetect -f null - 2>&1`], { encoding: 'utf8' });
  assert.ok(Number(/mean_volume: (-?[\d.]+) dB/.exec(level)![1]) > -40);
});

test('editing a user video from the CLI: subtitles (aligned), dubbing over ducked sound, smart cover, portrait, stabilise', async () => {
  const { TESTDATA } = await import('../helpers/testdata.ts');
  const clip = join(home, 'my-clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=5', '-t', '5', '-i', join(TESTDATA, 'jfk.wav'), '-shortest', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
  const run = async (...set: string[]) => {
    const r = await runCli(['--json', 'generate', 'video', '--set', `source=${clip}`, ...set.flatMap((s) => ['--set', s])], { home });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as RunJson;
  };
  const subtitled = await run('operation=subtitles', 'script=And so, my fellow Americans: ask not');
  const sp = await probeMedia(subtitled.artifacts[0]!.path);
  assert.ok(sp.streams.some((s) => s.type === 'audio') && Math.abs(sp.duration - 5) < 0.2);
  assert.ok(sp.streams.some((s) => s.type === 'video' && s.width === 640), 'the picture is kept, with the subtitles burned in');
  const soft = await run('operation=subtitles', 'script=And so, my fellow Americans: ask not', 'softSubtitles=true');
  const softProbe = await probeMedia(soft.artifacts[0]!.path);
  assert.deepEqual(softProbe.streams.map((s) => s.type), ['video', 'audio', 'subtitle'], 'soft subtitles are a track of the labeled MP4');

  const dubbed = await run('operation=dub', 'script=Hello and welcome.', 'mode=duck');
  const dp = await probeMedia(dubbed.artifacts[0]!.path);
  assert.deepEqual(dp.streams.map((s) => s.type).sort(), ['audio', 'video']);

  const cover = await run('operation=cover', 'title=封面');
  assert.equal(cover.artifacts[0]!.mimeType, 'image/jpeg');
  assert.ok(cover.artifacts[0]!.labels.some((l) => l.type.startsWith('aigc')));

  const portrait = await run('operation=portrait', 'mode=blur');
  const pp = await probeMedia(portrait.artifacts[0]!.path);
  assert.deepEqual([pp.streams.find((s) => s.type === 'video')!.width, pp.streams.find((s) => s.type === 'video')!.height], [720, 1280]);

  const steady = await run('operation=stabilize');
  assert.ok((await probeMedia(steady.artifacts[0]!.path)).duration > 4.5);

  const missing = await runCli(['generate', 'video', '--set', `source=${join(home, 'none.mp4')}`, '--set', 'operation=cover'], { home });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /MEDIA_INVALID/);
});

test('one click: a folder of pictures, a clip and music plus a script becomes a narrated short with subtitles', async () => {
  const { mkdirSync } = await import('node:fs');
  const folder = join(home, 'material');
  mkdirSync(folder);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=1', '-frames:v', '1', join(folder, '01-picture.png')]);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'mandelbrot=size=640x360:rate=25', '-t', '2', '-pix_fmt', 'yuv420p', join(folder, '02-clip.mp4')]);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=20', join(folder, 'music.wav')]);
  const r = await runCli(['--json', 'generate', 'video', '--set', `source=${folder}`, '--set', 'operation=folder', '--set', 'script=First we look at the picture. Then the clip plays. And we are done!', '--set', 'title=My short', '--set', 'aspect=9:16'], { home });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunJson;
  const probe = await probeMedia(out.artifacts[0]!.path);
  const v = probe.streams.find((s) => s.type === 'video')!;
  assert.deepEqual([v.width, v.height], [720, 1280]);
  assert.ok(probe.streams.some((s) => s.type === 'audio'));
  assert.ok(Math.abs(probe.duration - Number(out.job.outputs.duration)) < 0.3);
  const empty = join(home, 'empty');
  mkdirSync(empty);
  const bad = await runCli(['generate', 'video', '--set', `source=${empty}`, '--set', 'operation=folder', '--set', 'script=Hello.'], { home });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /no pictures or clips/);
});
