import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RealFft } from '../../src/media/audio/fft.ts';
import { logMelSpectrogram, melFilterbank, mfcc } from '../../src/media/audio/mfcc.ts';
import type { PcmAudio } from '../../src/media/audio/pcm.ts';

function sine(frequency: number, seconds: number, sampleRate: number, amplitude = 0.5): PcmAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  return { sampleRate, samples };
}

/** A deterministic, speech-like busy signal: a chirp plus pseudo-random noise. */
function busySignal(seconds: number, sampleRate: number): PcmAudio {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  let state = 12345;
  for (let i = 0; i < samples.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const t = i / sampleRate;
    samples[i] = 0.4 * Math.sin(2 * Math.PI * (200 * t + 1500 * t * t)) + 0.1 * (state / 2147483648 - 0.5);
  }
  return { sampleRate, samples };
}

test('RealFft matches a naive DFT', () => {
  const n = 64;
  const fft = new RealFft(n);
  const input = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1) + (i % 5) * 0.1);
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  fft.forward(input, re, im);
  for (let k = 0; k <= n / 2; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      sr += input[t]! * Math.cos((-2 * Math.PI * k * t) / n);
      si += input[t]! * Math.sin((-2 * Math.PI * k * t) / n);
    }
    assert.ok(Math.abs(re[k]! - sr) < 1e-9 && Math.abs(im[k]! - si) < 1e-9, `bin ${k}: ${re[k]}+${im[k]}i vs ${sr}+${si}i`);
  }
  assert.throws(() => new RealFft(48), RangeError);
});

test('mfcc: shape, hop and centred frames, independent of the input sample rate', () => {
  const at16k = mfcc(sine(440, 1, 16000));
  assert.equal(at16k.dims, 13);
  assert.equal(at16k.hopSeconds, 0.01);
  assert.equal(at16k.count, 101); // frames centred at 0, 10 ms, …, 1000 ms
  assert.equal(at16k.data.length, at16k.count * at16k.dims);
  assert.ok(at16k.data.every(Number.isFinite));

  // The same tone at 44.1 kHz is resampled to 16 kHz first: same frames, nearly the same values.
  const at44k = mfcc(sine(440, 1, 44100));
  assert.equal(at44k.count, at16k.count);
  let maxDiff = 0;
  for (let f = 10; f < 90; f++) for (let k = 1; k < 13; k++) maxDiff = Math.max(maxDiff, Math.abs(at44k.data[f * 13 + k]! - at16k.data[f * 13 + k]!));
  assert.ok(maxDiff < 0.5, `44.1 kHz vs 16 kHz coefficients differ by ${maxDiff}`);

  const custom = mfcc(sine(440, 0.5, 16000), { hopMs: 20, frameMs: 40, coefficients: 20, melBands: 26 });
  assert.equal(custom.dims, 20);
  assert.equal(custom.hopSeconds, 0.02);
  assert.equal(custom.count, 26);
  assert.equal(mfcc({ sampleRate: 16000, samples: new Float32Array(0) }).count, 0);
  assert.throws(() => mfcc(sine(440, 0.1, 16000), { coefficients: 50 }), RangeError);

  // Cepstral mean normalisation: every coefficient averages to zero over the frames.
  for (let k = 0; k < 13; k++) {
    let mean = 0;
    for (let f = 0; f < at16k.count; f++) mean += at16k.data[f * 13 + k]!;
    assert.ok(Math.abs(mean / at16k.count) < 1e-4, `c${k} mean ${mean / at16k.count}`);
  }
});

test('a pure tone lands in the mel band centred nearest its frequency', () => {
  const filters = melFilterbank(16000, 512, 40, 60, 7600);
  for (const [frequency, rate] of [
    [300, 16000],
    [1000, 16000],
    [2500, 44100],
    [6000, 22050],
  ] as const) {
    const mel = logMelSpectrogram(sine(frequency, 0.5, rate));
    const row = Math.floor(mel.count / 2) * mel.dims;
    let best = 0;
    for (let m = 1; m < mel.dims; m++) if (mel.data[row + m]! > mel.data[row + best]!) best = m;
    let nearest = 0;
    for (let m = 1; m < filters.length; m++) {
      if (Math.abs(filters[m]!.centerHz - frequency) < Math.abs(filters[nearest]!.centerHz - frequency)) nearest = m;
    }
    assert.ok(Math.abs(best - nearest) <= 1, `${frequency} Hz at ${rate} Hz: loudest band ${best} (${filters[best]!.centerHz.toFixed(0)} Hz), expected ${nearest}`);
    // And far bands are much quieter (the energy is concentrated, not smeared).
    const far = (nearest + 20) % mel.dims;
    assert.ok(mel.data[row + best]! - mel.data[row + far]! > 5, `band ${far} is not much quieter than band ${best}`);
  }
});

test('mfcc matches a slow, straightforward reference computation', () => {
  const rate = 16000;
  const audio = busySignal(0.3, rate);
  const fast = mfcc(audio);

  // Reference: centred 400-sample frames every 160 samples, pre-emphasis, periodic Hann,
  // naive 512-point DFT, HTK-mel triangles, natural log, orthonormal DCT-II, mean removal.
  const frameLength = 400;
  const hop = 160;
  const nfft = 512;
  const bands = 40;
  const coefficients = 13;
  const x = audio.samples;
  const mel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
  const hz = (m: number): number => 700 * (10 ** (m / 2595) - 1);
  const edges = Array.from({ length: bands + 2 }, (_, i) => hz(mel(60) + ((mel(7600) - mel(60)) * i) / (bands + 1)));
  const count = Math.floor(x.length / hop) + 1;
  const reference: number[][] = [];
  for (let f = 0; f < count; f++) {
    const frame = new Array<number>(nfft).fill(0);
    for (let i = 0; i < frameLength; i++) {
      const n = f * hop - frameLength / 2 + i;
      const cur = n >= 0 && n < x.length ? x[n]! : 0;
      const prev = n >= 1 && n - 1 < x.length ? x[n - 1]! : 0;
      frame[i] = (cur - 0.97 * prev) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frameLength));
    }
    const power: number[] = [];
    for (let k = 0; k <= nfft / 2; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < nfft; t++) {
        re += frame[t]! * Math.cos((2 * Math.PI * k * t) / nfft);
        im -= frame[t]! * Math.sin((2 * Math.PI * k * t) / nfft);
      }
      power.push(re * re + im * im);
    }
    const logMel: number[] = [];
    for (let m = 0; m < bands; m++) {
      let sum = 0;
      for (let k = 0; k <= nfft / 2; k++) {
        const f0 = (k * rate) / nfft;
        const w = f0 <= edges[m + 1]! ? (f0 - edges[m]!) / (edges[m + 1]! - edges[m]!) : (edges[m + 2]! - f0) / (edges[m + 2]! - edges[m + 1]!);
        if (w > 0) sum += w * power[k]!;
      }
      logMel.push(Math.log(Math.max(sum, 1e-10)));
    }
    const cepstrum: number[] = [];
    for (let c = 0; c < coefficients; c++) {
      let sum = 0;
      for (let m = 0; m < bands; m++) sum += logMel[m]! * Math.cos((Math.PI * c * (m + 0.5)) / bands);
      cepstrum.push(sum * Math.sqrt((c === 0 ? 1 : 2) / bands));
    }
    reference.push(cepstrum);
  }
  for (let c = 0; c < coefficients; c++) {
    const mean = reference.reduce((s, row) => s + row[c]!, 0) / count;
    for (const row of reference) row[c] = row[c]! - mean;
  }

  assert.equal(fast.count, count);
  let maxError = 0;
  for (let f = 0; f < count; f++) {
    for (let c = 0; c < coefficients; c++) maxError = Math.max(maxError, Math.abs(fast.data[f * coefficients + c]! - reference[f]![c]!));
  }
  assert.ok(maxError < 1e-3, `largest difference from the reference: ${maxError}`);
});
