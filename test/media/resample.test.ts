import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resample } from '../../src/media/audio/resample.ts';
import { rmsOf } from '../../src/media/audio/pcm.ts';

const tone = (hz: number, rate: number, seconds = 1) => ({ sampleRate: rate, samples: Float32Array.from({ length: rate * seconds }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate)) });

test('a tone below both Nyquists passes unchanged in pitch and level, up or down', () => {
  for (const rate of [8000, 22_050, 44_100, 48_000]) {
    const out = resample(tone(440, 16_000), rate);
    assert.equal(out.samples.length, rate);
    let maxError = 0;
    for (let i = 300; i < out.samples.length - 300; i++) maxError = Math.max(maxError, Math.abs(out.samples[i]! - Math.sin((2 * Math.PI * 440 * i) / rate)));
    assert.ok(maxError < 1e-3, `${rate} Hz: max error ${maxError}`);
  }
});

test('downsampling removes what the new rate cannot carry instead of aliasing it', () => {
  const out = resample(tone(7000, 16_000), 8000); // above the new 4 kHz Nyquist
  assert.ok(rmsOf(out.samples.subarray(200, -200)) < 0.01, `residue ${rmsOf(out.samples)}`);
  assert.equal(resample(tone(100, 8000), 8000).samples.length, 8000, 'same rate: untouched');
});
