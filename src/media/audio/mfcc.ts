import { RealFft } from './fft.ts';
import type { PcmAudio } from './pcm.ts';
import { resample } from './resample.ts';

/**
 * Mel-frequency cepstral coefficients, the classic speech features: pre-emphasis, framing
 * with a Hann window, power spectrum by a real FFT, a triangular mel filterbank (HTK mel
 * scale), log, and an orthonormal DCT-II. Audio is first resampled to one analysis rate, so
 * features of signals recorded at different rates are comparable frame for frame.
 *
 * Frames are centred: frame i covers the window centred on i·hop seconds (the signal is
 * zero-padded by half a frame at both ends), so a frame index maps to a time by one multiply.
 */

export interface MfccOptions {
  /** Analysis window length. Default 25 ms. */
  frameMs?: number;
  /** Step between frames. Default 10 ms. */
  hopMs?: number;
  /** Number of triangular mel filters. Default 40. */
  melBands?: number;
  /** Cepstral coefficients kept, c0 included. Default 13. */
  coefficients?: number;
  /** First-order pre-emphasis factor (0 disables). Default 0.97. */
  preEmphasis?: number;
  /** Lower edge of the filterbank. Default 60 Hz. */
  lowHz?: number;
  /** Upper edge of the filterbank, capped at Nyquist. Default 7600 Hz. */
  highHz?: number;
  /** Subtract each coefficient's mean over all frames (removes channel colouring). Default true. */
  cepstralMeanNormalize?: boolean;
  /** Rate the audio is resampled to before analysis. Default 16000 Hz. */
  sampleRate?: number;
}

/** Frames stored row-major in one array: frame i is data[i·dims … (i+1)·dims). */
export interface FeatureFrames {
  readonly data: Float32Array;
  readonly count: number;
  readonly dims: number;
  /** Seconds between frame centres; frame i is centred at i·hopSeconds. */
  readonly hopSeconds: number;
}

export interface MelFilter {
  /** First FFT bin with a non-zero weight. */
  readonly firstBin: number;
  readonly weights: Float64Array;
  readonly centerHz: number;
}

const LOG_FLOOR = 1e-10;

export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Triangular filters equally spaced on the mel scale, weights evaluated at each bin's frequency (peak 1). */
export function melFilterbank(sampleRate: number, fftSize: number, bands: number, lowHz: number, highHz: number): MelFilter[] {
  const nyquist = sampleRate / 2;
  const high = Math.min(highHz, nyquist);
  if (!(lowHz >= 0 && lowHz < high)) throw new RangeError(`bad filterbank range ${lowHz}–${highHz} Hz at ${sampleRate} Hz`);
  if (!Number.isInteger(bands) || bands < 1) throw new RangeError(`bad mel band count ${bands}`);
  const lowMel = hzToMel(lowHz);
  const highMel = hzToMel(high);
  const edges = new Float64Array(bands + 2);
  for (let i = 0; i < bands + 2; i++) edges[i] = melToHz(lowMel + ((highMel - lowMel) * i) / (bands + 1));
  const binHz = sampleRate / fftSize;
  const bins = fftSize / 2 + 1;
  const filters: MelFilter[] = [];
  for (let m = 0; m < bands; m++) {
    const left = edges[m]!;
    const center = edges[m + 1]!;
    const right = edges[m + 2]!;
    const first = Math.max(0, Math.ceil(left / binHz));
    const last = Math.min(bins - 1, Math.floor(right / binHz));
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      const w = f <= center ? (f - left) / (center - left) : (right - f) / (right - center);
      weights[k - first] = Math.max(0, w);
    }
    filters.push({ firstBin: first, weights, centerHz: center });
  }
  return filters;
}

interface Resolved {
  frameMs: number;
  hopMs: number;
  melBands: number;
  coefficients: number;
  preEmphasis: number;
  lowHz: number;
  highHz: number;
  cepstralMeanNormalize: boolean;
  sampleRate: number;
}

function resolve(options: MfccOptions): Resolved {
  const r: Resolved = {
    frameMs: options.frameMs ?? 25,
    hopMs: options.hopMs ?? 10,
    melBands: options.melBands ?? 40,
    coefficients: options.coefficients ?? 13,
    preEmphasis: options.preEmphasis ?? 0.97,
    lowHz: options.lowHz ?? 60,
    highHz: options.highHz ?? 7600,
    cepstralMeanNormalize: options.cepstralMeanNormalize ?? true,
    sampleRate: options.sampleRate ?? 16000,
  };
  if (!(r.frameMs > 0) || !(r.hopMs > 0)) throw new RangeError('frameMs and hopMs must be positive');
  if (!Number.isInteger(r.coefficients) || r.coefficients < 1 || r.coefficients > r.melBands) {
    throw new RangeError(`coefficients must be 1..melBands (${r.melBands}), got ${r.coefficients}`);
  }
  if (!(r.preEmphasis >= 0 && r.preEmphasis < 1)) throw new RangeError(`preEmphasis must be in [0, 1), got ${r.preEmphasis}`);
  return r;
}

/** The FFT size, window, hop and filterbank for one set of options (computed once, reused per frame). */
interface Analysis {
  rate: number;
  frameLength: number;
  hop: number;
  fft: RealFft;
  window: Float64Array;
  filters: MelFilter[];
}

const analysisCache = new Map<string, Analysis>();

function analysisFor(r: Resolved): Analysis {
  const key = `${r.sampleRate}/${r.frameMs}/${r.hopMs}/${r.melBands}/${r.lowHz}/${r.highHz}`;
  const cached = analysisCache.get(key);
  if (cached !== undefined) return cached;
  const rate = r.sampleRate;
  const frameLength = Math.max(2, Math.round((rate * r.frameMs) / 1000));
  const hop = Math.max(1, Math.round((rate * r.hopMs) / 1000));
  let fftSize = 4;
  while (fftSize < frameLength) fftSize *= 2;
  const window = new Float64Array(frameLength);
  // Periodic Hann: tapers to zero so spectral leakage between mel bands stays low.
  for (let i = 0; i < frameLength; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frameLength);
  const analysis: Analysis = {
    rate,
    frameLength,
    hop,
    fft: new RealFft(fftSize),
    window,
    filters: melFilterbank(rate, fftSize, r.melBands, r.lowHz, r.highHz),
  };
  if (analysisCache.size > 16) analysisCache.clear();
  analysisCache.set(key, analysis);
  return analysis;
}

/** Natural-log mel filterbank energies, one row of `melBands` values per centred frame. */
export function logMelSpectrogram(audio: PcmAudio, options: MfccOptions = {}): FeatureFrames {
  const r = resolve(options);
  const a = analysisFor(r);
  const pcm = resample(audio, a.rate).samples;
  const count = pcm.length === 0 ? 0 : Math.floor(pcm.length / a.hop) + 1;
  const bands = a.filters.length;
  const data = new Float32Array(count * bands);
  const frame = new Float64Array(a.fft.size);
  const bins = a.fft.size / 2 + 1;
  const power = new Float64Array(bins);
  const scratchRe = new Float64Array(bins);
  const scratchIm = new Float64Array(bins);
  const offset = Math.floor(a.frameLength / 2);
  const pre = r.preEmphasis;
  for (let f = 0; f < count; f++) {
    const start = f * a.hop - offset;
    for (let i = 0; i < a.frameLength; i++) {
      const n = start + i;
      // Pre-emphasis y[n] = x[n] − α·x[n−1], applied on the fly; outside the signal is silence.
      const x = n >= 0 && n < pcm.length ? pcm[n]! : 0;
      const prev = n - 1 >= 0 && n - 1 < pcm.length ? pcm[n - 1]! : 0;
      frame[i] = (x - pre * prev) * a.window[i]!;
    }
    a.fft.power(frame, power, scratchRe, scratchIm);
    const row = f * bands;
    for (let m = 0; m < bands; m++) {
      const filter = a.filters[m]!;
      let sum = 0;
      for (let k = 0; k < filter.weights.length; k++) sum += filter.weights[k]! * power[filter.firstBin + k]!;
      data[row + m] = Math.log(Math.max(sum, LOG_FLOOR));
    }
  }
  return { data, count, dims: bands, hopSeconds: a.hop / a.rate };
}

const dctCache = new Map<string, Float64Array>();

/** Orthonormal DCT-II basis: row k holds the weights of cepstral coefficient k. */
function dctMatrix(inputs: number, outputs: number): Float64Array {
  const key = `${inputs}/${outputs}`;
  const cached = dctCache.get(key);
  if (cached !== undefined) return cached;
  const matrix = new Float64Array(inputs * outputs);
  for (let k = 0; k < outputs; k++) {
    const scale = k === 0 ? Math.sqrt(1 / inputs) : Math.sqrt(2 / inputs);
    for (let m = 0; m < inputs; m++) matrix[k * inputs + m] = scale * Math.cos((Math.PI * k * (m + 0.5)) / inputs);
  }
  dctCache.set(key, matrix);
  return matrix;
}

export function mfcc(audio: PcmAudio, options: MfccOptions = {}): FeatureFrames {
  const r = resolve(options);
  const mel = logMelSpectrogram(audio, r);
  const bands = mel.dims;
  const dims = r.coefficients;
  const basis = dctMatrix(bands, dims);
  const data = new Float32Array(mel.count * dims);
  for (let f = 0; f < mel.count; f++) {
    const inRow = f * bands;
    for (let k = 0; k < dims; k++) {
      let sum = 0;
      const basisRow = k * bands;
      for (let m = 0; m < bands; m++) sum += basis[basisRow + m]! * mel.data[inRow + m]!;
      data[f * dims + k] = sum;
    }
  }
  if (r.cepstralMeanNormalize && mel.count > 0) {
    for (let k = 0; k < dims; k++) {
      let mean = 0;
      for (let f = 0; f < mel.count; f++) mean += data[f * dims + k]!;
      mean /= mel.count;
      for (let f = 0; f < mel.count; f++) data[f * dims + k] = data[f * dims + k]! - mean;
    }
  }
  return { data, count: mel.count, dims, hopSeconds: mel.hopSeconds };
}
