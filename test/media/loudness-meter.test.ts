import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LoudnessMeter } from '../../src/media/audio/loudness-meter.ts';
import { decodeWav } from '../../src/media/audio/wav.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const jfk = decodeWav(readFileSync(join(TESTDATA, 'jfk.wav')));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function measure(samples: Float32Array, sampleRate: number, pieces: (n: number) => number[]): number {
  const meter = new LoudnessMeter(sampleRate);
  let from = 0;
  for (const length of pieces(samples.length)) {
    meter.add(samples, from, Math.min(samples.length, from + length));
    from += length;
  }
  if (from < samples.length) meter.add(samples, from);
  return meter.result();
}

/** Random piece lengths (0 to 3 steps long, empty pieces included), so step boundaries fall anywhere inside a piece. */
function randomPieces(seed: number, sampleRate: number): (n: number) => number[] {
  const next = rng(seed);
  return (n) => {
    const lengths: number[] = [];
    for (let total = 0; total < n; ) {
      const length = Math.floor(next() * 0.3 * sampleRate);
      lengths.push(length);
      total += length;
    }
    return lengths;
  };
}

test('the meter gives the same number fed in any pieces as fed whole (the limiter feeds it piece by piece)', () => {
  const whole = measure(jfk.samples, jfk.sampleRate, (n) => [n]);
  assert.ok(Number.isFinite(whole) && whole < -10 && whole > -40, `jfk ${whole} LUFS`);
  for (const seed of [1, 2, 3]) assert.ok(Object.is(measure(jfk.samples, jfk.sampleRate, randomPieces(seed, jfk.sampleRate)), whole), `seed ${seed}`);
  assert.ok(Object.is(measure(jfk.samples, jfk.sampleRate, (n) => Array.from({ length: n }, () => 1)), whole), 'one sample at a time');
});

test('audio shorter than one block is measured over its whole length, in pieces too', () => {
  const short = jfk.samples.subarray(8000, 8000 + Math.round(0.3 * jfk.sampleRate)).slice();
  const whole = measure(short, jfk.sampleRate, (n) => [n]);
  assert.ok(Number.isFinite(whole), `${whole}`);
  assert.ok(Object.is(measure(short, jfk.sampleRate, randomPieces(4, jfk.sampleRate)), whole));
  // Twice the amplitude is 6.02 dB louder: the whole-length measure scales like any other.
  const louder = measure(short.map((x) => 2 * x), jfk.sampleRate, (n) => [n]);
  assert.ok(Math.abs(louder - whole - 20 * Math.log10(2)) < 1e-9, `${louder} vs ${whole}`);
  assert.equal(new LoudnessMeter(16000).result(), -Infinity, 'nothing measured');
});
