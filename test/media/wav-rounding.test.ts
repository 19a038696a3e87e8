import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeWav, roundHalfUp } from '../../src/media/audio/wav.ts';

/** What encodeWav wrote before its rounding was rewritten for speed: the reference. */
function referencePcm(samples: Float32Array, channels: number): Int16Array {
  const perChannel = 1 / Math.sqrt(channels);
  const out = new Int16Array(samples.length * channels);
  for (let i = 0, at = 0; i < samples.length; i++) {
    const clipped = Math.max(-1, Math.min(1, samples[i]! * perChannel));
    const value = Math.round(clipped < 0 ? clipped * 32768 : clipped * 32767);
    for (let c = 0; c < channels; c++) out[at++] = value;
  }
  return out;
}

/** Doubles next to x: x itself and the `span` representable values on either side. */
function neighbours(x: number, span: number): number[] {
  const box = new Float64Array([x]);
  const bits = new BigInt64Array(box.buffer);
  const base = bits[0]!;
  const out: number[] = [];
  for (let k = -span; k <= span; k++) {
    bits[0] = base + BigInt(k);
    out.push(box[0]!);
  }
  return out;
}

test('roundHalfUp is Math.round for every double that can reach it: ties, their neighbours, and random values', () => {
  const same = (x: number) => assert.equal(roundHalfUp(x) + 0, Math.round(x) + 0, `x = ${x}`);
  // Every half-integer a 16-bit sample can round from, and the doubles just beside it.
  for (let k = -32770; k <= 32770; k++) for (const x of neighbours(k + 0.5, 3)) same(x);
  for (const x of [0, -0, 0.49999999999999994, -0.49999999999999994, 0.5, -0.5, Number.MIN_VALUE, -Number.MIN_VALUE, 1e-300, -1e-300]) same(x);
  fc.assert(fc.property(fc.double({ min: -40_000, max: 40_000, noNaN: true }), (x) => roundHalfUp(x) + 0 === Math.round(x) + 0), { numRuns: 20_000 });
});

test('encodeWav writes the same samples as Math.round did: mono and stereo, every 16-bit level, random and clipped signals', () => {
  const check = (samples: Float32Array, channels: number) => {
    const bytes = encodeWav({ sampleRate: 22050, samples }, channels);
    const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.byteLength));
    assert.deepEqual(pcm, referencePcm(samples, channels));
  };
  // Each 16-bit level read back (x / 32768, as decodeWav makes it), and half a step either side.
  const levels = new Float32Array(3 * 65536);
  for (let x = -32768; x < 32768; x++) levels.set([x / 32768, (x + 0.5) / 32768, (x - 0.5) / 32768], 3 * (x + 32768));
  for (const channels of [1, 2, 3]) check(levels, channels);
  fc.assert(
    fc.property(fc.float32Array({ minLength: 1, maxLength: 2000, noDefaultInfinity: true, noNaN: true }), fc.integer({ min: 1, max: 4 }), (samples, channels) => {
      check(samples, channels);
    }),
    { numRuns: 300 },
  );
});
