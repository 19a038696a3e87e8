import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { decodeAudio, encodeAudio } from '../../src/media/audio/encode.ts';
import { integratedLoudness, normalizeLoudness, truePeakDb } from '../../src/media/audio/loudness.ts';
import { masterWav } from '../../src/media/audio/master-wav.ts';
import { durationOf, peakOf, toDb, type PcmAudio } from '../../src/media/audio/pcm.ts';
import { decodeWav, encodeWav } from '../../src/media/audio/wav.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const dir = mkdtempSync(join(tmpdir(), 'shenbi-audio-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const JFK = join(TESTDATA, 'jfk.wav');
const jfk = decodeWav(readFileSync(JFK));

function sine(frequency: number, amplitude: number, seconds: number, sampleRate: number): PcmAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  return { sampleRate, samples };
}

/** ffmpeg's own EBU R128 measurement: integrated loudness and true peak of a file. */
function ffmpegLoudness(file: string): { integrated: number; truePeak: number } {
  const result = spawnSync('ffmpeg', ['-nostats', '-hide_banner', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8' });
  const summary = result.stderr.slice(result.stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s*(-?[\d.]+|-inf)\s*LUFS/.exec(summary)?.[1];
  const truePeak = /True peak:\s*Peak:\s*(-?[\d.]+|-inf)/.exec(summary)?.[1];
  assert.ok(integrated !== undefined && truePeak !== undefined, `could not parse ffmpeg output: ${summary}`);
  return { integrated: Number.parseFloat(integrated), truePeak: Number.parseFloat(truePeak) };
}

function writeWav(name: string, audio: PcmAudio): string {
  const file = join(dir, name);
  writeFileSync(file, encodeWav(audio));
  return file;
}

function probe(bytes: Buffer, ext: string): { codec: string; sampleRate: number; channels: number; duration: number } {
  const file = join(dir, `probe.${ext}`);
  writeFileSync(file, bytes);
  const json = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels:format=duration', '-of', 'json', file], { encoding: 'utf8' })) as {
    streams: { codec_name: string; sample_rate: string; channels: number }[];
    format: { duration: string };
  };
  const stream = json.streams[0]!;
  return { codec: stream.codec_name, sampleRate: Number(stream.sample_rate), channels: stream.channels, duration: Number(json.format.duration) };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ShenbiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ShenbiError, `expected a ShenbiError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

test('integrated loudness agrees with ffmpeg ebur128 on jfk.wav', () => {
  const ours = integratedLoudness(jfk);
  const theirs = ffmpegLoudness(JFK);
  assert.ok(Math.abs(ours - theirs.integrated) <= 0.3, `ours ${ours.toFixed(2)} vs ffmpeg ${theirs.integrated}`);
});

test('integrated loudness agrees with ffmpeg ebur128 on a 1 kHz sine (44.1 and 22.05 kHz)', () => {
  for (const rate of [44100, 22050]) {
    const tone = sine(1000, 0.5, 3, rate);
    const theirs = ffmpegLoudness(writeWav(`sine-${rate}.wav`, tone));
    const ours = integratedLoudness(tone);
    assert.ok(Math.abs(ours - theirs.integrated) <= 0.3, `${rate} Hz: ours ${ours.toFixed(2)} vs ffmpeg ${theirs.integrated}`);
    // A full-scale-relative 1 kHz sine at −6 dBFS peak reads about −9 LUFS (K-weighting is ~0 dB at 1 kHz, −3 dB RMS, −0.691).
    assert.ok(Math.abs(ours - -9.0) < 0.2, `sine loudness ${ours}`);
  }
});

test('silence is −Infinity LUFS and is left unchanged by normalization', () => {
  const silence: PcmAudio = { sampleRate: 16000, samples: new Float32Array(16000) };
  assert.equal(integratedLoudness(silence), -Infinity);
  assert.equal(truePeakDb(silence), -Infinity);
  const normalized = normalizeLoudness(silence);
  assert.equal(peakOf(normalized.samples), 0);
});

test('true peak sees inter-sample peaks that the sample peak misses', () => {
  // fs/4 sine with a 45° phase: every sample sits at ±0.707 of the real peak.
  const rate = 48000;
  const samples = new Float32Array(rate);
  for (let i = 0; i < samples.length; i++) samples[i] = 0.9 * Math.sin((Math.PI / 2) * i + Math.PI / 4);
  const audio = { sampleRate: rate, samples };
  assert.ok(toDb(peakOf(samples)) < -3.5);
  const tp = truePeakDb(audio);
  assert.ok(Math.abs(tp - toDb(0.9)) < 0.3, `true peak ${tp}`);
});

test('normalizeLoudness hits −16 LUFS (checked by ffmpeg) with the peak ≤ −1 dB', () => {
  const normalized = normalizeLoudness(jfk, { targetLufs: -16, peakDb: -1 });
  const file = writeWav('jfk-16.wav', normalized);
  const measured = ffmpegLoudness(file);
  assert.ok(Math.abs(measured.integrated - -16) <= 0.5, `ffmpeg says ${measured.integrated}`);
  assert.ok(toDb(peakOf(decodeWav(readFileSync(file)).samples)) <= -1, 'sample peak above −1 dBFS');
  assert.ok(measured.truePeak <= -0.9, `ffmpeg true peak ${measured.truePeak}`);
});

test('normalizing louder than the peak allows limits the peaks instead of clipping', () => {
  // jfk at −9 LUFS would need +6.4 dB: its −2.1 dBTP peak would reach about +4 dBTP.
  const normalized = normalizeLoudness(jfk, { targetLufs: -9, peakDb: -1 });
  assert.ok(truePeakDb(normalized) <= -1 + 1e-9, `true peak ${truePeakDb(normalized)}`);
  const file = writeWav('jfk-9.wav', normalized);
  const measured = ffmpegLoudness(file);
  assert.ok(Math.abs(measured.integrated - -9) <= 0.5, `ffmpeg says ${measured.integrated}`);
  assert.ok(measured.truePeak <= -0.9, `ffmpeg true peak ${measured.truePeak}`);
  assert.ok(toDb(peakOf(normalized.samples)) <= -1);
});

test('normalisation reuses its buffers (scratch.ts) without one signal leaking into the next, and never hands them out', () => {
  const part = { sampleRate: jfk.sampleRate, samples: jfk.samples.slice(20_000, 90_000) };
  const first = masterWav(part, { targetLufs: -16, peakDb: -1 });
  const kept = normalizeLoudness(part, { targetLufs: -16, peakDb: -1 });
  const keptCopy = kept.samples.slice();
  // What normalizeLoudness returned is the caller's own: a later normalisation leaves it alone.
  normalizeLoudness(part, { targetLufs: -20, peakDb: -1 });
  assert.deepEqual(kept.samples, keptCopy);
  assert.deepEqual(encodeWav(kept), first.bytes);
  // Longer and limited (every buffer written, past the first signal's length), then the first again.
  const loud = masterWav(jfk, { targetLufs: -9, peakDb: -1 });
  assert.notDeepEqual(loud.bytes.subarray(44, 2000), first.bytes.subarray(44, 2000));
  assert.deepEqual(masterWav(part, { targetLufs: -16, peakDb: -1 }).bytes, first.bytes);
});

test('encodeAudio writes mp3, ogg and flac that ffprobe reads back', async () => {
  const expected = durationOf(jfk);
  for (const [format, codec] of [['mp3', 'mp3'], ['ogg', 'vorbis'], ['flac', 'flac']] as const) {
    const bytes = await encodeAudio(jfk, format);
    const info = probe(bytes, format);
    assert.equal(info.codec, codec);
    assert.equal(info.sampleRate, 16000);
    assert.equal(info.channels, 1);
    assert.ok(Math.abs(info.duration - expected) <= 0.1, `${format}: ${info.duration} s vs ${expected} s`);
  }
});

test('encodeAudio honours sampleRate, channels and bitrate', async () => {
  const tone = sine(440, 0.3, 2, 22050);
  const mp3 = probe(await encodeAudio(tone, 'mp3', { sampleRate: 44100, channels: 2, bitrate: 64 }), 'mp3');
  assert.deepEqual([mp3.codec, mp3.sampleRate, mp3.channels], ['mp3', 44100, 2]);
  assert.ok(Math.abs(mp3.duration - 2) <= 0.1);
  const wav = decodeWav(await encodeAudio(tone, 'wav', { sampleRate: 16000, channels: 2 }));
  assert.equal(wav.info.sampleRate, 16000);
  assert.equal(wav.info.channels, 2);
  assert.ok(Math.abs(durationOf(wav) - 2) < 0.01);
  await rejectsWith(encodeAudio(tone, 'mp3', { bitrate: 5000 }), 'INVALID_INPUT');
});

test('decodeAudio round-trips through flac and mp3 and resamples on request', async () => {
  const flac = await decodeAudio(await encodeAudio(jfk, 'flac'));
  assert.equal(flac.sampleRate, 16000);
  assert.equal(flac.samples.length, jfk.samples.length);
  let maxDiff = 0;
  for (let i = 0; i < flac.samples.length; i++) maxDiff = Math.max(maxDiff, Math.abs(flac.samples[i]! - jfk.samples[i]!));
  assert.ok(maxDiff < 1e-4, `flac is lossless, max diff ${maxDiff}`);
  const mp3 = await decodeAudio(await encodeAudio(jfk, 'mp3'), { sampleRate: 8000 });
  assert.equal(mp3.sampleRate, 8000);
  assert.ok(Math.abs(durationOf(mp3) - durationOf(jfk)) <= 0.1);
  const wav = await decodeAudio(readFileSync(JFK), { sampleRate: 8000 });
  assert.equal(wav.sampleRate, 8000);
});

test('decodeAudio refuses empty and unreadable input with MEDIA_INVALID', async () => {
  await rejectsWith(decodeAudio(new Uint8Array(0)), 'MEDIA_INVALID');
  await rejectsWith(decodeAudio(Buffer.from('this is certainly not audio, just some text '.repeat(20))), 'MEDIA_INVALID');
  const truncatedFlac = (await encodeAudio(jfk, 'flac')).subarray(0, 30);
  await rejectsWith(decodeAudio(truncatedFlac), 'MEDIA_INVALID');
});

test('a missing ffmpeg is ENGINE_UNAVAILABLE with the install hint', async () => {
  const error = await rejectsWith(encodeAudio(jfk, 'flac', { ffmpegPath: join(dir, 'no-such-ffmpeg') }), 'ENGINE_UNAVAILABLE');
  assert.match(error.hint ?? '', /apt-get install ffmpeg/);
});

test('an ffmpeg failure is ENGINE_FAILED with its stderr', async () => {
  // 8 kbit/s Vorbis at 16 kHz is outside what libvorbis accepts, so ffmpeg itself fails.
  const error = await rejectsWith(encodeAudio(jfk, 'ogg', { bitrate: 8, sampleRate: 96000 }), 'ENGINE_FAILED');
  assert.ok(error.message.length > 'ffmpeg failed'.length);
});

test('aborting an encode kills ffmpeg and rejects with JOB_CANCELLED', async () => {
  const long = sine(440, 0.3, 120, 44100);
  const controller = new AbortController();
  const pending = encodeAudio(long, 'mp3', { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await rejectsWith(pending, 'JOB_CANCELLED');
});
