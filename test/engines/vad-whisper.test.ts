import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { detectSpeech } from '../../src/engines/vad/index.ts';
import { detectSpeechWhisper, releaseWhisper, transcribe } from '../../src/engines/whisper/index.ts';
import { resample } from '../../src/media/audio/resample.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const jfk = decodeWav(readFileSync(join(TESTDATA, 'jfk.wav')));
const dir = mkdtempSync(join(tmpdir(), 'shenbi-asr-'));
after(async () => {
  await releaseWhisper();
  rmSync(dir, { recursive: true, force: true });
});
// The four phrases of "And so, my fellow Americans …" (platform-notes, measured with whisper.cpp's VAD).
const KNOWN = [[0.32, 2.27], [3.27, 4.41], [5.38, 7.68], [8.16, 10.62]];
const isCode = (code: string) => (e: unknown) => e instanceof ShenbiError && e.code === code;

function assertKnown(segments: { start: number; end: number }[]): void {
  assert.equal(segments.length, 4, JSON.stringify(segments));
  segments.forEach((s, i) => {
    assert.ok(Math.abs(s.start - KNOWN[i]![0]!) <= 0.25 && Math.abs(s.end - KNOWN[i]![1]!) <= 0.25, `segment ${i}: ${s.start}–${s.end}`);
  });
}

for (const model of ['silero_vad.onnx', 'silero_vad_16k_op15.onnx']) {
  test(`Silero VAD (${model}, onnxruntime) finds the four speech segments of jfk.wav`, async () => {
    assertKnown(await detectSpeech(jfk, { modelPath: join(TESTDATA, model) }));
    // The same speech at another sample rate gives the same answer.
    assertKnown(await detectSpeech(resample(jfk, 44_100), { modelPath: join(TESTDATA, model) }));
  });
}

test('whisper.cpp VAD (ggml Silero) finds the same four segments', async () => {
  assertKnown(await detectSpeechWhisper(jfk, { modelPath: join(TESTDATA, 'for-tests-silero-v6.2.0-ggml.bin') }));
});

test('whisper.cpp loads the test model and returns a well-formed transcript (the model has no real weights)', async () => {
  const second = { sampleRate: jfk.sampleRate, samples: jfk.samples.subarray(0, 16_000) };
  const result = await transcribe(second, { modelPath: join(TESTDATA, 'for-tests-ggml-tiny.bin'), language: 'en', wordTimestamps: false, temperatureFallback: false });
  assert.equal(typeof result.text, 'string');
  assert.equal(result.language, 'en');
  assert.ok(Array.isArray(result.segments) && Array.isArray(result.words));
});

test('error paths: missing or corrupt models, empty audio, cancellation', async () => {
  await assert.rejects(transcribe(jfk, { modelPath: join(dir, 'ggml-none.bin') }), isCode('MODEL_NOT_INSTALLED'));
  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, Buffer.alloc(4096, 7));
  await assert.rejects(transcribe(jfk, { modelPath: junk }), isCode('ENGINE_FAILED'));
  await assert.rejects(detectSpeechWhisper(jfk, { modelPath: junk }), isCode('ENGINE_FAILED'));
  await assert.rejects(transcribe({ sampleRate: 16_000, samples: new Float32Array(0) }, { modelPath: join(TESTDATA, 'for-tests-ggml-tiny.bin') }), isCode('MEDIA_INVALID'));
  await assert.rejects(detectSpeech({ sampleRate: 16_000, samples: new Float32Array(0) }, { modelPath: join(TESTDATA, 'silero_vad.onnx') }), isCode('MEDIA_INVALID'));
  await assert.rejects(detectSpeech(jfk, { modelPath: join(dir, 'none.onnx') }), isCode('MODEL_NOT_INSTALLED'));
  await assert.rejects(detectSpeech(jfk, { modelPath: junk }), isCode('ENGINE_FAILED'));
  const controller = new AbortController();
  const clip = { sampleRate: jfk.sampleRate, samples: jfk.samples.subarray(0, 16_000) };
  const pending = transcribe(clip, { modelPath: join(TESTDATA, 'for-tests-ggml-tiny.bin'), signal: controller.signal, temperatureFallback: false });
  setTimeout(() => controller.abort(new Error('cancelled by test')), 300);
  await assert.rejects(pending, /cancelled by test/);
});
