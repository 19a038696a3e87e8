import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { renderBed } from '../../src/engines/composer/bed/index.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { effectOnsetSeconds, synthesizeEffect } from '../../src/engines/sfx/index.ts';
import { MIX_SAMPLE_RATE, mixShortAudio, type ShortMixResult } from '../../src/engines/short/mix/index.ts';
import { integratedLoudness } from '../../src/media/audio/loudness.ts';
import { duckAndMix } from '../../src/media/audio/mix.ts';
import type { PcmAudio } from '../../src/media/audio/pcm.ts';
import { resample } from '../../src/media/audio/resample.ts';
import { encodeWav } from '../../src/media/audio/wav.ts';

const SENTENCES = ['The old lighthouse keeper climbed the stairs every night.', 'One evening, the lamp would not light.', 'So he sang to the ships until morning came.', 'And every ship came safely home.'];
/** Silence before the first sentence and between sentences: the pauses where the bed comes up. */
const LEAD = 1.4;
const PAUSE = 1.5;

let dir: string;
let narration: PcmAudio;
let bedAlone: PcmAudio;
/** Spans (seconds) where the voice speaks: first word start to last word end of each sentence. */
const speech: { start: number; end: number }[] = [];
let effects: { audio: PcmAudio; at: number }[];
let full: ShortMixResult;
let withoutEffects: ShortMixResult;
let voiceOnly: ShortMixResult;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-short-mix-'));
  const engine = createEspeakEngine();
  let clips: Awaited<ReturnType<typeof engine.synthesize>>[];
  try {
    clips = [];
    for (const text of SENTENCES) clips.push(await engine.synthesize({ text, language: 'en' }));
  } finally {
    await engine.close();
  }
  const rate = clips[0]!.audio.sampleRate;
  const total = LEAD + clips.reduce((sum, c) => sum + c.audio.samples.length / rate, 0) + PAUSE * clips.length;
  const samples = new Float32Array(Math.round(total * rate));
  let at = LEAD;
  for (const clip of clips) {
    samples.set(clip.audio.samples, Math.round(at * rate));
    speech.push({ start: at + clip.words[0]!.start, end: at + clip.words.at(-1)!.end });
    at += clip.audio.samples.length / rate + PAUSE;
  }
  narration = { sampleRate: rate, samples };
  const bed = await renderBed({ mood: 'warm', seconds: total, seed: 5 });
  bedAlone = bed;
  // One effect in the lead-in, one over the voice, one in a pause, one over the voice again.
  const [first, second] = speech;
  effects = [
    { audio: synthesizeEffect('whoosh', { seed: 1 }), at: 0.4 },
    { audio: synthesizeEffect('pop', { seed: 2 }), at: first!.start + 1.0 },
    { audio: synthesizeEffect('chime', { seed: 3 }), at: first!.end + 0.3 },
    { audio: synthesizeEffect('pop', { seed: 4, sampleRate: 22_050 }), at: second!.start + 0.8 },
  ];
  const started = performance.now();
  full = await mixShortAudio({ narration, bed, effects });
  console.log(`a ${total.toFixed(1)} s mix (narration, bed, ${effects.length} effects) took ${((performance.now() - started) / 1000).toFixed(2)} s`);
  withoutEffects = await mixShortAudio({ narration, bed, effects: [] });
  voiceOnly = await mixShortAudio({ narration, effects: [] });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** ffmpeg's EBU R128 meter (an independent implementation) on the encoded WAV. */
function ffmpegLoudness(file: string): { integrated: number; truePeak: number } {
  const result = spawnSync('ffmpeg', ['-nostats', '-hide_banner', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8' });
  const summary = result.stderr.slice(result.stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s*(-?[\d.]+)\s*LUFS/.exec(summary)?.[1];
  const truePeak = /True peak:\s*Peak:\s*(-?[\d.]+)/.exec(summary)?.[1];
  assert.ok(integrated !== undefined && truePeak !== undefined, `could not parse ffmpeg output: ${summary}`);
  return { integrated: Number(integrated), truePeak: Number(truePeak) };
}

/**
 * What `a` has that `b` lacks: a − k·b with k the least-squares scale (the two mixes were
 * normalised to the same loudness, so their shared parts differ by a gain).
 */
function difference(a: PcmAudio, b: PcmAudio): Float32Array {
  let ab = 0;
  let bb = 0;
  for (let i = 0; i < a.samples.length; i++) {
    ab += a.samples[i]! * b.samples[i]!;
    bb += b.samples[i]! * b.samples[i]!;
  }
  const k = ab / bb;
  return a.samples.map((v, i) => v - k * b.samples[i]!);
}

/**
 * The same, with k fitted per 10 ms frame: the final limiter shaves the voice's peaks a little
 * differently in two mixes, and a per-frame gain takes that out, so only the added signal is left.
 */
function localDifference(a: PcmAudio, b: PcmAudio): Float32Array {
  const frame = Math.round(0.01 * a.sampleRate);
  const out = new Float32Array(a.samples.length);
  for (let from = 0; from < out.length; from += frame) {
    const to = Math.min(out.length, from + frame);
    let ab = 0;
    let bb = 0;
    for (let i = from; i < to; i++) {
      ab += a.samples[i]! * b.samples[i]!;
      bb += b.samples[i]! * b.samples[i]!;
    }
    const k = bb > 0 ? ab / bb : 0;
    for (let i = from; i < to; i++) out[i] = a.samples[i]! - k * b.samples[i]!;
  }
  return out;
}

function rmsDb(samples: Float32Array, from: number, to: number): number {
  const start = Math.round(from * MIX_SAMPLE_RATE);
  const end = Math.round(to * MIX_SAMPLE_RATE);
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i]! ** 2;
  return 10 * Math.log10(sum / (end - start) + 1e-20);
}

test('the mix is 48 kHz mono, as long as the narration, at −14 LUFS and under −1 dBTP by ffmpeg’s ebur128', async () => {
  const { audio, loudness } = full;
  assert.equal(audio.sampleRate, MIX_SAMPLE_RATE);
  assert.ok(Math.abs(audio.samples.length - (narration.samples.length / narration.sampleRate) * MIX_SAMPLE_RATE) <= 1);
  const file = join(dir, 'mix.wav');
  await writeFile(file, encodeWav(audio));
  const measured = ffmpegLoudness(file);
  console.log(`mix: ffmpeg ${measured.integrated} LUFS, ${measured.truePeak} dBTP; ours ${JSON.stringify(loudness)}`);
  assert.ok(Math.abs(measured.integrated + 14) <= 0.5, `${measured.integrated} LUFS`);
  assert.ok(measured.truePeak <= -1 + 0.3, `true peak ${measured.truePeak} dBTP`);
  assert.ok(Math.abs(loudness.narrationLufs + 16) < 0.1, `narration ${loudness.narrationLufs} LUFS`);
  assert.ok(Math.abs(loudness.finalLufs + 14) < 0.1 && loudness.truePeakDb <= -1);
});

test('the bed ducks under the voice: at least 6 dB quieter while the voice speaks than in the pauses', () => {
  const inMix = localDifference(withoutEffects.audio, voiceOnly.audio);
  // The bed's gain in the mix at each place (its level there over its level alone), so the
  // music's own ups and downs (an intro without drums, a fill) do not count as ducking.
  const gainDb = (from: number, to: number) => rmsDb(inMix, from, to) - rmsDb(bedAlone.samples, from, to);
  const powerMean = (dbs: number[]) => 10 * Math.log10(dbs.reduce((sum, db) => sum + 10 ** (db / 10), 0) / dbs.length);
  // Speech: each sentence's words; pauses: each gap, clear of the sidechain's release and look-ahead.
  const during = speech.map((s) => gainDb(s.start + 0.1, s.end - 0.1));
  const pauses = [gainDb(1.1, speech[0]!.start - 0.1), ...speech.slice(0, -1).map((s, i) => gainDb(s.end + 0.9, speech[i + 1]!.start - 0.1))];
  const ducked = powerMean(pauses) - powerMean(during);
  console.log(`bed gain in the mix: ${pauses.map((d) => d.toFixed(1)).join(', ')} dB in pauses; ${during.map((d) => d.toFixed(1)).join(', ')} dB under the voice: ducked ${ducked.toFixed(1)} dB`);
  assert.ok(ducked >= 6, `ducked by ${ducked.toFixed(1)} dB`);
  // And well under the voice even in the pauses (loudness, K-weighted: the bed is bass-heavy).
  const loudnessOf = (samples: Float32Array, from: number, to: number) => integratedLoudness({ sampleRate: MIX_SAMPLE_RATE, samples: samples.subarray(Math.round(from * MIX_SAMPLE_RATE), Math.round(to * MIX_SAMPLE_RATE)) });
  const bedInPause = loudnessOf(inMix, speech[0]!.end + 0.9, speech[1]!.start - 0.1);
  const voice = loudnessOf(withoutEffects.audio.samples, speech[0]!.start, speech[0]!.end); // the same mix: one final gain
  console.log(`bed ${bedInPause.toFixed(1)} LUFS in a pause; voice ${voice.toFixed(1)} LUFS`);
  assert.ok(voice - bedInPause >= 8, `bed at ${bedInPause.toFixed(1)} LUFS in a pause, voice at ${voice.toFixed(1)}`);
});

test('each effect starts at its cue time ± 20 ms', () => {
  const added = difference(full.audio, withoutEffects.audio);
  for (const effect of effects) {
    const alone = resample(effect.audio, MIX_SAMPLE_RATE);
    const expected = effect.at + effectOnsetSeconds(alone);
    const from = Math.max(0, effect.at - 0.3);
    const window = added.subarray(Math.round(from * MIX_SAMPLE_RATE), Math.round((effect.at + alone.samples.length / MIX_SAMPLE_RATE) * MIX_SAMPLE_RATE));
    const found = from + effectOnsetSeconds({ sampleRate: MIX_SAMPLE_RATE, samples: window });
    console.log(`effect at ${effect.at.toFixed(3)} s: onset expected ${expected.toFixed(3)} s, found ${found.toFixed(3)} s`);
    assert.ok(Math.abs(found - expected) <= 0.02, `onset ${found.toFixed(3)} s, expected ${expected.toFixed(3)} s`);
  }
});

test('the bed and the effects do not move the narration: cross-correlation peaks at lag 0', () => {
  const voice = resample(narration, MIX_SAMPLE_RATE).samples;
  const mix = full.audio.samples;
  const maxLag = Math.round(0.02 * MIX_SAMPLE_RATE);
  for (const span of speech) {
    const from = Math.round((span.start + 0.2) * MIX_SAMPLE_RATE);
    const to = from + MIX_SAMPLE_RATE / 4; // a quarter second of each sentence
    let bestLag = 0;
    let best = -Infinity;
    for (let lag = -maxLag; lag <= maxLag; lag++) {
      let sum = 0;
      for (let i = from; i < to; i++) sum += voice[i]! * mix[i + lag]!;
      if (sum > best) {
        best = sum;
        bestLag = lag;
      }
    }
    assert.equal(bestLag, 0, `sentence at ${span.start.toFixed(2)} s: the mix lags the narration by ${bestLag} samples`);
  }
});

test('the sidechain reads the voice ahead: the bed is already down when the voice starts', () => {
  const rate = 48_000;
  const bed: PcmAudio = { sampleRate: rate, samples: new Float32Array(2 * rate).fill(0.1) };
  const voice: PcmAudio = { sampleRate: rate, samples: new Float32Array(2 * rate).map((_, i) => (i >= rate ? 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate) : 0)) };
  const gainAtOnset = (lookahead: number) => {
    const out = duckAndMix(bed, voice, { duckDb: -10, attack: 0.02, release: 0.4, lookahead });
    return 20 * Math.log10((out.samples[rate]! - voice.samples[rate]!) / 0.1);
  };
  assert.ok(gainAtOnset(0.05) <= -6, `bed at ${gainAtOnset(0.05).toFixed(1)} dB when the voice starts`);
  assert.ok(gainAtOnset(0) > -1, 'without look-ahead the dip comes after the first sound');
});

test('bad input is INVALID_INPUT before any work; an aborted mix is JOB_CANCELLED', async () => {
  const rate = 16_000;
  const tone = (seconds: number): PcmAudio => ({ sampleRate: rate, samples: new Float32Array(Math.round(seconds * rate)).map((_, i) => 0.3 * Math.sin(i / 5)) });
  const isCode = (code: string) => (error: unknown) => error instanceof ShenbiError && error.code === code;
  const cases: [string, Parameters<typeof mixShortAudio>[0]][] = [
    ['effect past the end', { narration: tone(2), effects: [{ audio: tone(0.2), at: 2.5 }] }],
    ['negative cue time', { narration: tone(2), effects: [{ audio: tone(0.2), at: -0.1 }] }],
    ['silent narration', { narration: { sampleRate: rate, samples: new Float32Array(rate) }, effects: [] }],
    ['NaN samples', { narration: { sampleRate: rate, samples: new Float32Array(rate).fill(Number.NaN) }, effects: [] }],
    ['impossible rate', { narration: { sampleRate: 0, samples: new Float32Array(10) }, effects: [] }],
    ['too long', { narration: { sampleRate: 8000, samples: new Float32Array(601 * 8000) }, effects: [] }],
  ];
  for (const [what, input] of cases) await assert.rejects(mixShortAudio(input), isCode('INVALID_INPUT'), what);
  await assert.rejects(mixShortAudio({ narration: tone(2), effects: [], signal: AbortSignal.abort() }), isCode('JOB_CANCELLED'));
});
