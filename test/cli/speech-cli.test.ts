import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { parseSrt } from '../../src/media/subtitles/index.ts';
import { runCli } from '../helpers/cli.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-speech-cli-'));
// The test recordings live in ../shared/testdata: allow Shenbi to read media there.
const media = { SHENBI_MEDIA_ROOTS: [TESTDATA, tmpdir()].join(delimiter) };
after(() => rmSync(home, { recursive: true, force: true }));

interface RunJson {
  job: { status: string; outputs: Record<string, unknown> };
  artifacts: { path: string; mimeType: string; kind: string; labels: { type: string }[] }[];
}

test('generate speech writes a labeled MP3 and word timings', async () => {
  const r = await runCli(['--json', 'generate', 'speech', '你好，世界。Hello world.', '--set', 'format=mp3'], { home });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunJson;
  const mp3 = out.artifacts.find((a) => a.mimeType === 'audio/mpeg')!;
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', mp3.path], { encoding: 'utf8' })) as { streams: { codec_name: string }[]; format: { duration: string } };
  assert.equal(probe.streams[0]!.codec_name, 'mp3');
  assert.ok(Math.abs(Number(probe.format.duration) - Number(out.job.outputs.duration)) < 0.15);
  assert.ok(mp3.labels.some((l) => l.type.startsWith('aigc')));
  const timings = JSON.parse(readFileSync(out.artifacts.find((a) => a.kind === 'json')!.path, 'utf8')) as { words: { text: string }[] };
  assert.ok(timings.words.some((w) => w.text === 'Hello'));
});

test('generate transcription with a known script aligns it and writes subtitles that fit the speech', async () => {
  const script = 'And so, my fellow Americans: ask not what your country can do for you, ask what you can do for your country.';
  const r = await runCli(['--json', 'generate', 'transcription', join(TESTDATA, 'jfk.wav'), '--set', `transcript=${script}`, '--set', 'format=srt'], { home, env: media });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as RunJson;
  const [notice, ...cues] = parseSrt(readFileSync(out.artifacts.find((a) => a.kind === 'subtitle')!.path, 'utf8'));
  // SRT has no comment syntax: its AI label is a shown cue, first (docs/architecture.md).
  assert.match(notice!.lines.join(' '), /人工智能生成/);
  assert.ok(cues.length >= 2);
  assert.ok(Math.abs(cues[0]!.start - 0.32) < 0.3, `speech starts at ~0.32 s (VAD), first cue at ${cues[0]!.start}`);
  assert.ok(cues.at(-1)!.end <= 11.01);
  assert.equal(cues.flatMap((c) => c.lines).join(' ').split(/\s+/).length, script.split(/\s+/).length);

  const missing = await runCli(['generate', 'transcription', join(home, 'nope.wav'), '--set', 'transcript=hello'], { home, env: media });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /MEDIA_INVALID/);
});

test('generate transcription without the known text needs a whisper model and names the pull command', async () => {
  const r = await runCli(['generate', 'transcription', join(TESTDATA, 'jfk.wav')], { home, env: media });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /error\[MODEL_NOT_INSTALLED\]/);
  assert.match(r.stderr, /shenbi models pull whisper-base/);
});

test('a media path outside the allowed folders is refused with PATH_NOT_ALLOWED, symlinks included', async () => {
  const outside = await runCli(['generate', 'transcription', join(TESTDATA, 'jfk.wav'), '--set', 'transcript=hello'], { home, env: { SHENBI_MEDIA_ROOTS: home } });
  assert.equal(outside.status, 6, outside.stderr);
  assert.match(outside.stderr, /error\[PATH_NOT_ALLOWED\]/);
  const { symlinkSync } = await import('node:fs');
  const link = join(home, 'innocent.wav');
  symlinkSync(join(TESTDATA, 'jfk.wav'), link);
  const viaLink = await runCli(['generate', 'transcription', link, '--set', 'transcript=hello'], { home, env: { SHENBI_MEDIA_ROOTS: home } });
  assert.equal(viaLink.status, 6, viaLink.stderr);
  assert.match(viaLink.stderr, /PATH_NOT_ALLOWED/);
});

test('generate vision --set mode=ocr reads English and Chinese lines from an image file', async () => {
  const sharp = (await import('sharp')).default;
  const image = join(home, 'sign.png');
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="200"><rect width="100%" height="100%" fill="#fff"/><text x="30" y="70" font-family="Noto Sans CJK SC" font-size="40" fill="#111">Happy New Year</text><text x="30" y="150" font-family="Noto Sans CJK SC" font-size="40" fill="#111">新年快乐万事如意</text></svg>';
  await sharp(Buffer.from(svg)).png().toFile(image);
  const r = await runCli(['--json', 'generate', 'vision', image, '--set', 'mode=ocr'], { home });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as RunJson).job.outputs.text, 'Happy New Year\n新年快乐万事如意');
});
