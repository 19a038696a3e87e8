import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { addSubtitles } from '../../src/engines/video/post.ts';
import { labelVideo } from '../../src/governance/explicit/video.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-explicit-video-streams-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { maxBuffer: 64 << 20 });
interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  tags?: { language?: string };
  disposition?: { attached_pic?: number };
}
const streamsOf = (path: string) => (JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', path]).toString()) as { streams: ProbedStream[] }).streams;
const subtitleText = (path: string) => execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:s:0', '-f', 'srt', '-']).toString();
const label = { wording: 'AI生成', corner: 'top-left' as const, inkRatio: 0.06, seconds: 1, persistent: false };

test("labeling a user's MKV keeps both audio tracks (languages too) and its subtitles (as mov_text); an attachment MP4 cannot hold is left out", async () => {
  const srt = join(dir, 'user.srt');
  writeFileSync(srt, '1\n00:00:00,200 --> 00:00:01,500\nhello there\n\n2\n00:00:01,600 --> 00:00:02,800\n第二句字幕\n');
  const notes = join(dir, 'notes.txt');
  writeFileSync(notes, 'an attachment');
  const source = join(dir, 'user.mkv');
  ffmpeg(
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=3',
    '-f', 'lavfi', '-i', 'sine=f=440:d=3',
    '-f', 'lavfi', '-i', 'sine=f=660:d=3',
    '-i', srt,
    '-attach', notes, '-metadata:s:t', 'mimetype=text/plain',
    '-map', '0', '-map', '1', '-map', '2', '-map', '3',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-c:s', 'srt',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra',
    source,
  );
  assert.deepEqual(streamsOf(source).map((s) => s.codec_type), ['video', 'audio', 'audio', 'subtitle', 'attachment']);

  const { bytes } = await labelVideo(readFileSync(source), label);
  const output = join(dir, 'labeled.mp4');
  writeFileSync(output, bytes);
  const streams = streamsOf(output);
  assert.deepEqual(streams.map((s) => `${s.codec_type}:${s.codec_name}`), ['video:h264', 'audio:opus', 'audio:opus', 'subtitle:mov_text']);
  assert.deepEqual(streams.filter((s) => s.codec_type === 'audio').map((s) => s.tags?.language), ['eng', 'fra']);
  assert.match(subtitleText(output), /hello there[\s\S]*第二句字幕/);
});

test('an MP4 with cover art and a mov_text track: all kept, the cover still marked as cover art', async () => {
  const source = join(dir, 'with-cover.mp4');
  const srt = join(dir, 'one.srt');
  writeFileSync(srt, '1\n00:00:00,000 --> 00:00:02,000\nsubtitle line\n');
  const cover = join(dir, 'cover2.png');
  ffmpeg('-f', 'lavfi', '-i', 'color=c=red:size=64x64', '-frames:v', '1', cover);
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=d=2', '-i', srt, '-i', cover, '-map', '0', '-map', '1', '-map', '2', '-map', '3', '-c:v:0', 'libx264', '-pix_fmt:v:0', 'yuv420p', '-c:v:1', 'png', '-disposition:v:1', 'attached_pic', '-c:a', 'aac', '-c:s', 'mov_text', source);
  const { bytes } = await labelVideo(readFileSync(source), label);
  const output = join(dir, 'with-cover-labeled.mp4');
  writeFileSync(output, bytes);
  const streams = streamsOf(output);
  assert.deepEqual(streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort(), ['audio:aac', 'subtitle:mov_text', 'video:h264', 'video:png']);
  assert.equal(streams.find((s) => s.codec_name === 'png')?.disposition?.attached_pic, 1);
});

test('soft subtitles survive the label: addSubtitles(soft) then labelVideo still has the subtitle track and its cues', async () => {
  const clip = join(dir, 'clip.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=d=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip);
  const soft = join(dir, 'soft.mp4');
  const ass = ['[Script Info]', 'ScriptType: v4.00+', '', '[Events]', 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text', 'Dialogue: 0,0:00:00.50,0:00:02.00,Default,,0,0,0,,soft words here', ''].join('\n');
  await addSubtitles(clip, ass, { output: soft, soft: true });
  const { bytes } = await labelVideo(readFileSync(soft), label);
  const output = join(dir, 'soft-labeled.mp4');
  writeFileSync(output, bytes);
  assert.ok(streamsOf(output).some((s) => s.codec_type === 'subtitle'), 'the soft subtitle track is still there');
  assert.match(subtitleText(output), /soft words here/);
});
