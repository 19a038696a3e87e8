import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isShenbiError } from '../../src/core/errors.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { labelAudio } from '../../src/governance/explicit/audio.ts';
import { activeRms } from '../../src/governance/explicit/rhythm.ts';
import { labelVideo } from '../../src/governance/explicit/video.ts';
import { currentWorkRoot } from '../../src/fs/work-dir.ts';
import { decodeAudio } from '../../src/media/audio/encode.ts';
import { toDb, type PcmAudio } from '../../src/media/audio/pcm.ts';
import { encodeWav } from '../../src/media/audio/wav.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-explicit-av-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { maxBuffer: 64 << 20 });
const probe = (path: string) =>
  JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path]).toString()) as {
    streams: { codec_type: string; codec_name: string; sample_rate?: string; channels?: number; bit_rate?: string; width?: number; height?: number }[];
    format: { duration: string };
  };

/** Tone bursts in [from, to) s: 2 ms RMS envelope above half its peak there; [start, end] in ms. */
function bursts(audio: PcmAudio, from: number, to: number): [number, number][] {
  const frame = Math.round(audio.sampleRate * 0.002);
  const env: number[] = [];
  for (let s = Math.round(from * audio.sampleRate); s + frame <= Math.min(audio.samples.length, to * audio.sampleRate); s += frame) {
    let sum = 0;
    for (let i = s; i < s + frame; i++) sum += audio.samples[i]! ** 2;
    env.push(Math.sqrt(sum / frame));
  }
  const threshold = Math.max(...env) / 2;
  const out: [number, number][] = [];
  env.forEach((v, i) => {
    const t = from * 1000 + i * 2;
    if (v < threshold) return;
    const last = out.at(-1);
    if (last && t - last[1] <= 4) last[1] = t + 2;
    else out.push([t, t + 2]);
  });
  return out;
}

function assertRhythm(found: [number, number][], startMs: number, tolerance: number): void {
  assert.equal(found.length, 4, `bursts ${JSON.stringify(found)}`);
  const durations = found.map(([s, e]) => e - s);
  [100, 300, 100, 100].forEach((expected, i) => assert.ok(Math.abs(durations[i]! - expected) <= tolerance, `burst ${i}: ${durations[i]} ms, want ${expected} (${JSON.stringify(found)})`));
  assert.ok(Math.abs(found[0]![0] - startMs) <= tolerance, `first burst at ${found[0]![0]} ms, want ${startMs}`);
  // Gaps of one unit between them: short-long-short-short, not one blur.
  for (let i = 1; i < 4; i++) assert.ok(Math.abs(found[i]![0] - found[i - 1]![1] - 100) <= tolerance, `gap ${i}`);
}

test('WAV: the short-long-short-short rhythm at the start, 1 kHz, under the content; the content follows untouched', async () => {
  const original = readFileSync(join(TESTDATA, 'jfk.wav'));
  const { bytes, record } = await labelAudio(original, 'audio/wav', { placement: 'start', spokenWording: '本内容由人工智能生成', spokenLanguage: 'zh' });
  const labeled = await decodeAudio(bytes);
  const plain = await decodeAudio(original);
  assert.equal(labeled.sampleRate, plain.sampleRate);
  assert.equal(probe(writeTemp('l.wav', bytes)).streams[0]!.codec_name, probe(join(TESTDATA, 'jfk.wav')).streams[0]!.codec_name);
  const found = bursts(labeled, 0, 1.0);
  assertRhythm(found, 0, 12);
  console.log(`# WAV bursts (ms): ${JSON.stringify(found)}`);
  // The dash is a ~1 kHz sine: ~600 zero crossings in 300 ms.
  const dash = labeled.samples.subarray(Math.round(0.22 * labeled.sampleRate), Math.round(0.48 * labeled.sampleRate));
  let crossings = 0;
  for (let i = 1; i < dash.length; i++) if (dash[i - 1]! < 0 !== dash[i]! < 0) crossings++;
  assert.ok(Math.abs(crossings / 0.26 / 2 - 1000) < 30, `${crossings / 0.26 / 2} Hz`);
  const toneDb = toDb(activeRms({ sampleRate: labeled.sampleRate, samples: dash }));
  const contentDb = toDb(activeRms(plain));
  console.log(`# tone ${toneDb.toFixed(1)} dBFS, content ${contentDb.toFixed(1)} dBFS, recorded ${(record.value as { levelDbfs: number }).levelDbfs}`);
  assert.ok(toneDb > -40 && toneDb <= contentDb - 3, `tone ${toneDb} vs content ${contentDb}`);
  const offset = Math.round(1.2 * plain.sampleRate);
  assert.equal(labeled.samples.length, plain.samples.length + offset);
  let maxDiff = 0;
  for (let i = 0; i < plain.samples.length; i++) maxDiff = Math.max(maxDiff, Math.abs(labeled.samples[offset + i]! - plain.samples[i]!));
  assert.ok(maxDiff <= 2 / 32768, `content changed by ${maxDiff}`);
  assert.equal(record.placement, 'audio-start');
});

test('overlay mode (the hook default): the rhythm mixed over the first second, length and every timestamp unchanged', async () => {
  const original = readFileSync(join(TESTDATA, 'jfk.wav'));
  const { bytes, record } = await labelAudio(original, 'audio/wav', { placement: 'start', mode: 'overlay', spokenWording: '本内容由人工智能生成', spokenLanguage: 'zh' });
  const labeled = await decodeAudio(bytes);
  const plain = await decodeAudio(original);
  assert.equal(labeled.samples.length, plain.samples.length, 'same length: lyric and subtitle timings stay valid');
  // What was added is exactly the rhythm: find its bursts in the difference signal.
  const added: PcmAudio = { sampleRate: plain.sampleRate, samples: labeled.samples.map((s, i) => s - plain.samples[i]!) };
  assertRhythm(bursts(added, 0, 1.0), 0, 12);
  // After the rhythm the content is untouched.
  let maxDiff = 0;
  for (let i = Math.round(1.0 * plain.sampleRate); i < plain.samples.length; i++) maxDiff = Math.max(maxDiff, Math.abs(added.samples[i]!));
  assert.ok(maxDiff <= 2 / 32768, `content after the label changed by ${maxDiff}`);
  assert.equal(record.placement, 'audio-start-overlay');
});

test("Shenbi's own WAVs (mono 16-bit, no extra chunks) are overlaid in process, sample for sample what ffmpeg makes", async () => {
  const speech = await decodeAudio(readFileSync(join(TESTDATA, 'jfk.wav')));
  const plain = encodeWav(speech);
  // The same audio with a LIST chunk after the data: ffmpeg's path (it would keep the tags).
  const info = Buffer.concat([Buffer.from('LIST'), Buffer.alloc(4), Buffer.from('INFOINAM'), Buffer.alloc(4), Buffer.from('test\0\0')]);
  info.writeUInt32LE(info.length - 8, 4);
  info.writeUInt32LE(6, 16);
  const tagged = Buffer.concat([plain, info]);
  tagged.writeUInt32LE(tagged.length - 8, 4);
  for (const placement of ['start', 'both'] as const) {
    const options = { placement, mode: 'overlay' as const, spokenWording: '本内容由人工智能生成', spokenLanguage: 'zh' };
    const started = performance.now();
    const fast = await labelAudio(plain, 'audio/wav', options);
    const fastMs = performance.now() - started;
    const ffmpegStarted = performance.now();
    const viaFfmpeg = await labelAudio(tagged, 'audio/wav', options);
    const ffmpegMs = performance.now() - ffmpegStarted;
    assert.ok(Buffer.from(viaFfmpeg.bytes).includes(Buffer.from('INAM')), 'the tagged file went through ffmpeg (its tag kept)');
    assert.ok(!Buffer.from(fast.bytes).includes(Buffer.from('LIST')), 'the plain file was mixed in process');
    const a = await decodeAudio(fast.bytes);
    const b = await decodeAudio(viaFfmpeg.bytes);
    assert.equal(a.samples.length, speech.samples.length);
    assert.equal(b.samples.length, speech.samples.length);
    let maxDiff = 0;
    for (let i = 0; i < a.samples.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.samples[i]! - b.samples[i]!));
    assert.ok(maxDiff <= 3 / 32768, `${placement}: in-process and ffmpeg differ by ${maxDiff * 32768} LSB`);
    assert.deepEqual(fast.record, viaFfmpeg.record);
    const added: PcmAudio = { sampleRate: speech.sampleRate, samples: a.samples.map((s, i) => s - speech.samples[i]!) };
    assertRhythm(bursts(added, 0, 1.0), 0, 12);
    if (placement === 'both') {
      const seconds = speech.samples.length / speech.sampleRate;
      assertRhythm(bursts(added, seconds - 1.0, seconds), Math.round((seconds - 0.9) * 1000), 12);
    }
    console.log(`# ${placement}: in process ${fastMs.toFixed(1)} ms, through ffmpeg ${ffmpegMs.toFixed(1)} ms`);
  }
});

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('MP3 stereo 44.1 kHz stays MP3 stereo 44.1 kHz at its bitrate; rhythm at the end when asked', async () => {
  const source = join(dir, 'music.mp3');
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=330:duration=2', '-ac', '2', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k', source);
  const { bytes, record } = await labelAudio(readFileSync(source), 'audio/mpeg', { placement: 'end', spokenWording: '本内容由人工智能生成', spokenLanguage: 'zh' });
  const info = probe(writeTemp('labeled.mp3', bytes));
  const stream = info.streams.find((s) => s.codec_type === 'audio')!;
  assert.deepEqual([stream.codec_name, stream.sample_rate, stream.channels], ['mp3', '44100', 2]);
  assert.ok(Math.abs(Number(stream.bit_rate) - 128000) < 16000, stream.bit_rate);
  assert.equal(record.placement, 'audio-end');
  const labeled = await decodeAudio(bytes);
  const duration = labeled.samples.length / labeled.sampleRate;
  // Content (a steady 330 Hz) then 0.3 s of silence, then the rhythm.
  const found = bursts(labeled, duration - 1.0, duration);
  assertRhythm(found, (duration - 1.0) * 1000 + 100 - 0, 40);
});

test('a spoken prompt (real eSpeak, injected) follows the rhythm at a normal rate', async () => {
  const engine = createEspeakEngine();
  try {
    // eSpeak's Mandarin at speed 1 runs ~200 字/min; 0.75 lands in GB 45438's 120–160.
    const speak = async (text: string, language: string) => (await engine.synthesize({ text, language, speed: 0.75 })).audio;
    const original = readFileSync(join(TESTDATA, 'jfk.wav'));
    const { bytes, record } = await labelAudio(original, 'audio/wav', { placement: 'start', spokenWording: '本内容由人工智能生成', spokenLanguage: 'zh', speak });
    const spoken = (record.value as { spoken: { seconds: number; charsPerMinute: number } }).spoken;
    console.log(`# spoken prompt: ${spoken.seconds} s, ${spoken.charsPerMinute} chars/min`);
    assert.ok(spoken.charsPerMinute >= 120 && spoken.charsPerMinute <= 160, `${spoken.charsPerMinute} 字/min`);
    const labeled = await decodeAudio(bytes);
    assertRhythm(bursts(labeled, 0, 1.0), 0, 12);
    // Speech sits between the rhythm (+0.3 s gap) and the content (after another 0.3 s).
    const speech = labeled.samples.subarray(Math.round(1.2 * labeled.sampleRate), Math.round((1.2 + spoken.seconds) * labeled.sampleRate));
    assert.ok(toDb(activeRms({ sampleRate: labeled.sampleRate, samples: speech })) > -40, 'speech audible');
    const plain = await decodeAudio(original);
    const expected = plain.samples.length + (1.2 + spoken.seconds + 0.3) * plain.sampleRate;
    assert.ok(Math.abs(labeled.samples.length - expected) <= 0.002 * plain.sampleRate, `${labeled.samples.length} samples, want ${expected}`);
  } finally {
    await engine.close();
  }
});

const plainVideo = join(dir, 'plain.mp4');
const portraitVideo = join(dir, 'portrait.mp4');
ffmpeg('-f', 'lavfi', '-i', 'color=c=0x3070b0:s=320x240:r=25:d=4', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', plainVideo);
ffmpeg('-f', 'lavfi', '-i', 'color=c=0x803020:s=240x320:r=25:d=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', portraitVideo);

function frame(path: string, t: number, width: number, height: number): Buffer {
  const raw = ffmpeg('-ss', String(t), '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-');
  assert.equal(raw.length, width * height * 3);
  return raw;
}

/** Bounding box of pixels that differ, and the ink height of white text inside it. */
function labelRegion(a: Buffer, b: Buffer, width: number, height: number) {
  let box = { left: Infinity, top: Infinity, right: -1, bottom: -1, count: 0 };
  let inkTop = Infinity;
  let inkBottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) < 60) continue;
      box = { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x), bottom: Math.max(box.bottom, y), count: box.count + 1 };
      if (b[i]! > 180 && b[i + 1]! > 180 && b[i + 2]! > 180) {
        inkTop = Math.min(inkTop, y);
        inkBottom = Math.max(inkBottom, y);
      }
    }
  }
  return { box, ink: inkBottom < 0 ? 0 : inkBottom - inkTop + 1 };
}

test('video: label on the start frames (0 s and 1.9 s), gone at 3 s; ink ≥ 5 % of the shortest side; audio copied; H.264 + faststart', async () => {
  const { bytes, record } = await labelVideo(readFileSync(plainVideo), { wording: 'AI生成', corner: 'top-left', inkRatio: 0.06, seconds: 2.5, persistent: false });
  const out = writeTemp('labeled.mp4', bytes);
  for (const t of [0, 1.9]) {
    const region = labelRegion(frame(plainVideo, t, 320, 240), frame(out, t, 320, 240), 320, 240);
    console.log(`# video t=${t}: label ${region.box.right - region.box.left + 1}x${region.box.bottom - region.box.top + 1} at ${region.box.left},${region.box.top}; ink ${region.ink}px = ${((100 * region.ink) / 240).toFixed(1)} %`);
    assert.ok(region.box.count > 200, `label missing at ${t} s`);
    assert.ok(region.box.right < 160 && region.box.bottom < 120, 'top-left');
    assert.ok(region.ink >= 0.05 * 240, `ink ${region.ink}px at ${t} s`);
  }
  assert.ok(labelRegion(frame(plainVideo, 3, 320, 240), frame(out, 3, 320, 240), 320, 240).box.count < 20, 'label still there at 3 s');
  const info = probe(out);
  assert.deepEqual(info.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  assert.ok(Math.abs(Number(info.format.duration) - 4) < 0.1);
  const audioHash = (path: string) => ffmpeg('-i', path, '-map', '0:a', '-c', 'copy', '-f', 'md5', '-').toString();
  assert.equal(audioHash(out), audioHash(plainVideo));
  const moov = Buffer.from(bytes).indexOf('moov');
  assert.ok(moov > 0 && moov < Buffer.from(bytes).indexOf('mdat'), 'faststart: moov first');
  assert.equal(record.placement, 'video-top-left-start');
});

test('portrait video with the persistent mark: still there at 3 s; sized from the width (the shortest side)', async () => {
  const { bytes, record } = await labelVideo(readFileSync(portraitVideo), { wording: 'AI生成', corner: 'bottom-right', inkRatio: 0.06, seconds: 2.5, persistent: true });
  const out = writeTemp('portrait-labeled.mp4', bytes);
  for (const t of [0, 3]) {
    const region = labelRegion(frame(portraitVideo, t, 240, 320), frame(out, t, 240, 320), 240, 320);
    assert.ok(region.box.count > 200, `label missing at ${t} s`);
    assert.ok(region.box.left > 120 && region.box.top > 160, 'bottom-right');
    assert.ok(region.ink >= 0.05 * 240 && region.ink <= 0.09 * 240, `ink ${region.ink}px`);
  }
  assert.equal(record.placement, 'video-bottom-right-persistent');
});

test('unreadable video: MEDIA_INVALID, and no temporary file left behind', async () => {
  // Work folders go under the Shenbi work root (`<pid>-t<thread>-explicit-video-…`). Only this process's
  // folders count: other test files run at the same time and label videos of their own.
  const ours = new RegExp(`^${process.pid}-t\\d+-explicit-video-`);
  const videoDirs = () => (existsSync(currentWorkRoot()) ? readdirSync(currentWorkRoot()).filter((f) => ours.test(f)).length : 0);
  const before = videoDirs();
  await assert.rejects(labelVideo(Buffer.from('not a video at all'), { wording: 'AI生成', corner: 'top-left', inkRatio: 0.06, seconds: 2.5, persistent: false }), (error: unknown) => isShenbiError(error) && error.code === 'MEDIA_INVALID');
  assert.equal(videoDirs(), before);
});
