import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { TimedText } from '../../src/core/timing.ts';
import {
  alignToReference,
  dtw,
  dtwInBand,
  dtwMultiscale,
  findPauses,
  forcedAlign,
  sakoeChibaBand,
  type Features,
  trimWordsToSound,
  type SynthesizeFn,
  type WarpingPath,
} from '../../src/engines/align/index.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { durationOf, type PcmAudio } from '../../src/media/audio/pcm.ts';
import { resample } from '../../src/media/audio/resample.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const engine = createEspeakEngine({ idleTimeoutMs: 2000 });
after(() => engine.close());

/** The reference voice: normal speed and a higher pitch than the "recording". */
const referenceVoice: SynthesizeFn = async (text, { language, signal }) => {
  const result = await engine.synthesize({ text, speed: 1, pitch: 1.3, ...(language === undefined ? {} : { language }), ...(signal === undefined ? {} : { signal }) });
  return { audio: result.audio, words: result.words };
};

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

// ---------------------------------------------------------------- DTW

/** Frames that are all distinct: deterministic pseudo-random vectors. */
function distinctFrames(count: number, dims = 6): Features {
  const data = new Float32Array(count * dims);
  let state = 42;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = state / 1073741824 - 1;
  }
  return { data, count, dims };
}

/** b[j] = a[warp(j)]: a time-warped copy. */
function warped(a: Features, length: number, warp: (j: number) => number): Features {
  const data = new Float32Array(length * a.dims);
  for (let j = 0; j < length; j++) data.set(a.data.subarray(warp(j) * a.dims, (warp(j) + 1) * a.dims), j * a.dims);
  return { data, count: length, dims: a.dims };
}

function assertPathShape(path: WarpingPath, n: number, m: number): void {
  assert.equal(path.a[0], 0);
  assert.equal(path.b[0], 0);
  assert.equal(path.a.at(-1), n - 1);
  assert.equal(path.b.at(-1), m - 1);
  for (let k = 1; k < path.a.length; k++) {
    const di = path.a[k]! - path.a[k - 1]!;
    const dj = path.b[k]! - path.b[k - 1]!;
    assert.ok((di === 0 || di === 1) && (dj === 0 || dj === 1) && di + dj > 0, `bad step at ${k}`);
  }
}

test('DTW recovers the mapping to a time-stretched copy (uniform and uneven stretch)', () => {
  const a = distinctFrames(300);
  // Uniform 1.5× stretch, then an uneven one: slow first half, fast second half.
  const uniform = (j: number): number => Math.min(299, Math.floor(j / 1.5));
  const uneven = (j: number): number => (j < 300 ? Math.floor(j / 2) : Math.min(299, 150 + Math.floor((j - 300) * 1.5)));
  for (const [warp, length] of [
    [uniform, 450],
    [uneven, 400],
  ] as const) {
    const b = warped(a, length, warp);
    for (const distance of ['cosine', 'euclidean'] as const) {
      for (const result of [dtw(a, b, { distance }), dtwMultiscale(a, b, { distance, maxCells: 5000, radius: 4 })]) {
        assertPathShape(result.path, a.count, b.count);
        for (let k = 0; k < result.path.a.length; k++) {
          const j = result.path.b[k]!;
          assert.ok(Math.abs(result.path.a[k]! - warp(j)) <= 1, `${distance}: b[${j}] paired with a[${result.path.a[k]}], expected a[${warp(j)}]`);
        }
        // Every frame of a reappears in the uniform stretch, so its path costs (almost) nothing.
        if (warp === uniform) assert.ok(result.cost < 1e-3, `an exact stretch should cost nothing, cost ${result.cost}`);
      }
    }
  }
  // Coarse-to-fine kept each level small: far fewer cells than the full matrix.
  const b = warped(a, 450, uniform);
  assert.ok(dtwMultiscale(a, b, { maxCells: 5000, radius: 4 }).cells < (300 * 450) / 5);
});

test('DTW stays inside its Sakoe-Chiba band', () => {
  const a = distinctFrames(200);
  // The copy lags by 30 frames (silence-like repeats of frame 0 first).
  const b = warped(a, 230, (j) => Math.max(0, j - 30));
  const halfWidth = 10;
  const band = sakoeChibaBand(a.count, b.count, halfWidth);
  const slope = (b.count - 1) / (a.count - 1);
  const result = dtwInBand(a, b, band);
  assertPathShape(result.path, a.count, b.count);
  for (let k = 0; k < result.path.a.length; k++) {
    const i = result.path.a[k]!;
    assert.ok(Math.abs(result.path.b[k]! - i * slope) <= halfWidth + 1, `cell (${i}, ${result.path.b[k]}) is outside the band`);
  }
  assert.ok(result.cells <= a.count * (2 * halfWidth + 3), `${result.cells} cells for a band of ±${halfWidth}`);
  // The same through dtw({ window }) and as a fraction; a wide enough band finds the lag exactly.
  assert.deepEqual(dtw(a, b, { window: halfWidth }).path, result.path);
  const wide = dtw(a, b, { window: { fraction: 0.5 } });
  for (let k = 0; k < wide.path.a.length; k++) assert.ok(Math.abs(wide.path.a[k]! - Math.max(0, wide.path.b[k]! - 30)) <= 1);
  assert.ok(wide.cost < result.cost, 'the narrow band must have cost more than the true path');
});

// ---------------------------------------------------------------- forced alignment with eSpeak-NG

function errors(found: readonly TimedText[], truth: readonly TimedText[], shift = 0): { max: number; mean: number } {
  assert.deepEqual(
    found.map((w) => w.text),
    truth.map((w) => w.text),
  );
  const errs = found.map((w, i) => Math.abs(w.start - (truth[i]!.start + shift)));
  return { max: Math.max(...errs), mean: errs.reduce((s, e) => s + e, 0) / errs.length };
}

function assertWellFormed(words: readonly TimedText[], duration: number): void {
  let previous = 0;
  for (const w of words) {
    assert.ok(w.start >= previous && w.end >= w.start && w.end <= duration + 1e-9, `bad word ${JSON.stringify(w)}`);
    previous = w.start;
  }
}

const SCRIPTS = {
  en: 'The quick brown fox jumps over the lazy dog. Yesterday we walked along the river, and the weather was beautiful. Then we went home for dinner.',
  zh: '今天天气很好，我们一起去公园散步。公园里有很多人，孩子们在草地上玩耍。傍晚的时候，我们回家吃饭。',
} as const;

for (const [language, script] of Object.entries(SCRIPTS)) {
  test(`forcedAlign (${language}): slow speech aligned with a normal-speed, higher-pitched reference, every word start within 100 ms`, async () => {
    // Ground truth: eSpeak's own word events for the slow rendering.
    const truth = await engine.synthesize({ text: script, language, speed: 0.8 });
    const result = await forcedAlign(truth.audio, script, { synthesize: referenceVoice, language });
    const { max, mean } = errors(result.words, truth.words);
    console.log(`# ${language}: ${result.words.length} words, start error max ${(max * 1000).toFixed(0)} ms, mean ${(mean * 1000).toFixed(1)} ms`);
    assert.ok(max < 0.1, `largest word-start error ${max} s`);
    assertWellFormed(result.words, durationOf(truth.audio));
    assert.deepEqual(
      result.sentences.map((s) => s.text),
      truth.sentences.map((s) => s.text),
    );
    result.sentences.forEach((s, i) => assert.ok(Math.abs(s.start - truth.sentences[i]!.start) < 0.1, `sentence ${i} starts at ${s.start}, truth ${truth.sentences[i]!.start}`));
  });
}

test('alignToReference: other sample rate, added silence around the audio, offsets come back', async () => {
  const script = SCRIPTS.en;
  const truth = await engine.synthesize({ text: script, speed: 0.8 });
  // The "recording" at 44.1 kHz with 1.3 s of silence before and 0.7 s after.
  const at44k = resample(truth.audio, 44100);
  const lead = Math.round(1.3 * 44100);
  const samples = new Float32Array(lead + at44k.samples.length + Math.round(0.7 * 44100));
  samples.set(at44k.samples, lead);
  const recording: PcmAudio = { sampleRate: 44100, samples };
  const words = alignToReference(recording, await referenceVoice(script, {}));
  const { max, mean } = errors(words, truth.words, 1.3);
  console.log(`# 44.1 kHz with silence: start error max ${(max * 1000).toFixed(0)} ms, mean ${(mean * 1000).toFixed(1)} ms`);
  assert.ok(max < 0.1, `largest word-start error ${max} s`);
  assertWellFormed(words, durationOf(recording));
});

/** Ends of pauses in a recording, by ffmpeg's silencedetect (an independent measurement). */
function pauseEnds(file: string): number[] {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'silencedetect=noise=-25dB:d=0.2', '-f', 'null', '-'], { encoding: 'utf8' });
  return [...result.stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number.parseFloat(m[1]!));
}

test('real speech: JFK aligned with an eSpeak reference puts the words after each pause where ffmpeg hears speech resume', async () => {
  const file = join(TESTDATA, 'jfk.wav');
  const jfk = decodeWav(readFileSync(file));
  const script = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
  const { words } = await forcedAlign(jfk, script, { synthesize: async (text) => engine.synthesize({ text }) });
  assertWellFormed(words, durationOf(jfk));
  const ends = pauseEnds(file);
  // The recording has five pauses: before "And", after "Americans,", between "ask" and "not",
  // after "not", and after "for you,". The word after each starts where the pause ends.
  assert.equal(ends.length, 5, `ffmpeg found pauses ending at ${ends.join(', ')}`);
  const after = [0, 5, 6, 7, 14].map((i) => words[i]!);
  assert.deepEqual(
    after.map((w) => w.text),
    ['And', 'ask', 'not', 'what', 'ask'],
  );
  const errs = after.map((w, i) => Math.abs(w.start - ends[i]!));
  console.log(`# JFK: word starts vs ffmpeg pause ends: ${after.map((w, i) => `${w.text} ${w.start.toFixed(2)}/${ends[i]!.toFixed(2)}`).join(', ')}`);
  assert.ok(Math.max(...errs) < 0.1, `errors ${errs.map((e) => e.toFixed(3)).join(', ')}`);
});

/** Pauses in a recording as [start, end] seconds, by ffmpeg's silencedetect (an independent measurement). */
function ffmpegPauses(file: string): { start: number; end: number }[] {
  const result = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'silencedetect=noise=-25dB:d=0.2', '-f', 'null', '-'], { encoding: 'utf8' });
  const starts = [...result.stderr.matchAll(/silence_start: ([\d.]+)/g)].map((m) => Number.parseFloat(m[1]!));
  const ends = [...result.stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number.parseFloat(m[1]!));
  return starts.map((start, i) => ({ start, end: ends[i] ?? Number.POSITIVE_INFINITY }));
}

test('real speech: JFK word ends stop where ffmpeg hears each pause begin, and no word spans a pause', async () => {
  const file = join(TESTDATA, 'jfk.wav');
  const jfk = decodeWav(readFileSync(file));
  const script = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
  const { words, sentences } = await forcedAlign(jfk, script, { synthesize: async (text) => engine.synthesize({ text }) });
  assert.equal(words.length, 22);
  assertWellFormed(words, durationOf(jfk));
  const pauses = ffmpegPauses(file);
  assert.equal(pauses.length, 5, `ffmpeg found pauses ${JSON.stringify(pauses)}`);
  // No word holds more than 150 ms of any pause (it held up to 1.1 s: "not" ran 4.0–5.4 s over the 1.1 s pause after it).
  for (const word of words) {
    for (const pause of pauses) {
      const overlap = Math.min(word.end, pause.end) - Math.max(word.start, pause.start);
      assert.ok(overlap <= 0.15, `"${word.text}" ${word.start.toFixed(2)}–${word.end.toFixed(2)} s holds ${overlap.toFixed(2)} s of the pause ${pause.start.toFixed(2)}–${pause.end.toFixed(2)} s`);
    }
  }
  // The word before each pause ends where the pause begins: "Americans," "ask" "not" "you,".
  const before = [4, 5, 6, 13].map((i) => words[i]!);
  assert.deepEqual(
    before.map((w) => w.text),
    ['Americans', 'ask', 'not', 'you'],
  );
  console.log(`# JFK: word ends vs ffmpeg pause starts: ${before.map((w, i) => `${w.text} ${w.end.toFixed(2)}/${pauses[i + 1]!.start.toFixed(2)}`).join(', ')}`);
  before.forEach((w, i) => assert.ok(Math.abs(w.end - pauses[i + 1]!.start) < 0.1, `"${w.text}" ends at ${w.end.toFixed(3)} s, the pause starts at ${pauses[i + 1]!.start.toFixed(3)} s`));
  // The first sentence ends with "country." at the end of the recording; sentences follow their words.
  assert.equal(sentences.length, 1);
  assert.equal(sentences[0]!.end, words.at(-1)!.end);
});

test('trimWordsToSound: a pause is cut off the end, the start or the middle of a word; a word with no sound is kept', () => {
  const pauses = [
    { start: 1, end: 2 },
    { start: 3, end: 3.5 },
    { start: 6, end: 7 },
  ];
  const words = [
    { text: 'tail', start: 0.5, end: 2 },
    { text: 'head', start: 2.8, end: 4 },
    { text: 'middle', start: 5.5, end: 7.2 },
    { text: 'inside', start: 6.2, end: 6.8 },
  ];
  assert.deepEqual(trimWordsToSound(words, pauses), [
    { text: 'tail', start: 0.5, end: 1 },
    { text: 'head', start: 3.5, end: 4 },
    { text: 'middle', start: 5.5, end: 6 },
    { text: 'inside', start: 6.2, end: 6.8 },
  ]);
  // Starts stay in order even when a trim would move one before its predecessor's.
  const crossed = trimWordsToSound(
    [
      { text: 'a', start: 0, end: 3 },
      { text: 'b', start: 1.5, end: 1.8 },
    ],
    [{ start: 0, end: 2.5 }],
  );
  assert.ok(crossed[1]!.start >= crossed[0]!.start && crossed[1]!.end >= crossed[1]!.start, JSON.stringify(crossed));
});

test('findPauses: silence between two tones is found, short gaps are not', () => {
  const rate = 16000;
  const samples = new Float32Array(rate * 3);
  const tone = (from: number, to: number): void => {
    for (let i = Math.round(from * rate); i < Math.round(to * rate); i++) samples[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / rate);
  };
  tone(0.5, 1.0);
  tone(1.1, 1.5); // a 100 ms gap: not a pause
  tone(2.0, 2.5); // a 500 ms gap: a pause
  const pauses = findPauses({ sampleRate: rate, samples });
  assert.equal(pauses.length, 3, JSON.stringify(pauses));
  assert.ok(Math.abs(pauses[1]!.start - 1.5) < 0.011 && Math.abs(pauses[1]!.end - 2.0) < 0.011, JSON.stringify(pauses[1]));
  assert.equal(findPauses({ sampleRate: rate, samples }, { minPauseSeconds: 0.05 }).length, 4);
  assert.equal(findPauses({ sampleRate: rate, samples }, { minPauseSeconds: 0.6 }).length, 0);
});

test('bad input: empty script, empty or silent audio, a script that cannot be this audio', async () => {
  const hello = await engine.synthesize({ text: 'Hello there.' });
  await rejectsWith(forcedAlign(hello.audio, '   ', { synthesize: referenceVoice }), 'INVALID_INPUT');
  await rejectsWith(forcedAlign({ sampleRate: 16000, samples: new Float32Array(0) }, 'Hello there.', { synthesize: referenceVoice }), 'MEDIA_INVALID');
  await rejectsWith(forcedAlign({ sampleRate: 16000, samples: new Float32Array(16000) }, 'Hello there.', { synthesize: referenceVoice }), 'MEDIA_INVALID');
  const long = `${SCRIPTS.en} ${SCRIPTS.en} ${SCRIPTS.en}`;
  const error = await rejectsWith(forcedAlign(hello.audio, long, { synthesize: referenceVoice }), 'INVALID_INPUT');
  assert.match(error.message, /does not fit the audio/);
  const longAudio = await engine.synthesize({ text: long });
  await rejectsWith(forcedAlign(longAudio.audio, 'Hello there.', { synthesize: referenceVoice }), 'INVALID_INPUT');
  await rejectsWith(forcedAlign(hello.audio, 'Hello there.', { synthesize: referenceVoice, bandSeconds: -1 }), 'INVALID_INPUT');
  await rejectsWith(forcedAlign(hello.audio, 'Hello there.', { synthesize: referenceVoice, mfcc: { coefficients: 99 } }), 'INVALID_INPUT');
  // Cancellation is the caller's signal's reason.
  const controller = new AbortController();
  controller.abort(new ShenbiError('JOB_CANCELLED', 'stop'));
  await rejectsWith(forcedAlign(hello.audio, 'Hello there.', { synthesize: referenceVoice, signal: controller.signal }), 'JOB_CANCELLED');
});

test('long scripts are synthesized in sentence chunks on one clock', async () => {
  const script = SCRIPTS.en;
  const truth = await engine.synthesize({ text: script, speed: 0.8 });
  const calls: string[] = [];
  const result = await forcedAlign(truth.audio, script, {
    maxChunkChars: 100,
    synthesize: async (text, options) => {
      calls.push(text);
      return referenceVoice(text, options);
    },
  });
  assert.ok(calls.length >= 2, `${calls.length} synthesis calls`);
  const { max } = errors(result.words, truth.words);
  assert.ok(max < 0.1, `largest word-start error ${max} s`);
});
