import type { PcmAudio } from './pcm.ts';

/**
 * Loudness after ITU-R BS.1770-4 / EBU R128 for mono audio (channel weight 1): K-weighting
 * (high shelf + high pass, coefficients derived for the actual sample rate), 400 ms blocks
 * with 75 % overlap, an absolute gate at −70 LUFS and a relative gate 10 LU below the
 * absolutely gated loudness.
 */

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** The two K-weighting stages for sample rate `fs`, by the bilinear transform of the analog prototypes. */
function kWeighting(fs: number): [Biquad, Biquad] {
  // Stage 1: +4 dB high shelf around 1.7 kHz (head diffraction).
  let f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  let q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / fs);
  const vh = Math.pow(10, gainDb / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  let a0 = 1 + k / q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  // Stage 2: high pass around 38 Hz (RLB weighting).
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = Math.tan((Math.PI * f0) / fs);
  a0 = 1 + k / q + k * k;
  const highPass: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
  return [shelf, highPass];
}

function filter(input: Float32Array | Float64Array, f: Biquad): Float64Array {
  const out = new Float64Array(input.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    const y = f.b0 * x + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    out[i] = y;
  }
  return out;
}

const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;

function loudnessOf(meanSquare: number): number {
  return meanSquare <= 0 ? -Infinity : -0.691 + 10 * Math.log10(meanSquare);
}

/**
 * Integrated loudness in LUFS; −Infinity for silence. Audio shorter than one 400 ms block is
 * measured as a single block over its whole length (BS.1770 itself would give no result).
 */
export function integratedLoudness(audio: PcmAudio): number {
  const { sampleRate: fs, samples } = audio;
  if (samples.length === 0) return -Infinity;
  const [shelf, highPass] = kWeighting(fs);
  const weighted = filter(filter(samples, shelf), highPass);
  // Sums of squares per 100 ms step; a block is four consecutive steps.
  const steps: number[] = [];
  const stepLengths: number[] = [];
  for (let k = 0; ; k++) {
    const from = Math.round(k * 0.1 * fs);
    const to = Math.round((k + 1) * 0.1 * fs);
    if (to > weighted.length) break;
    let sum = 0;
    for (let i = from; i < to; i++) sum += weighted[i]! * weighted[i]!;
    steps.push(sum);
    stepLengths.push(to - from);
  }
  const blocks: number[] = [];
  for (let k = 0; k + 4 <= steps.length; k++) {
    const sum = steps[k]! + steps[k + 1]! + steps[k + 2]! + steps[k + 3]!;
    const length = stepLengths[k]! + stepLengths[k + 1]! + stepLengths[k + 2]! + stepLengths[k + 3]!;
    blocks.push(sum / length);
  }
  if (blocks.length === 0) {
    let sum = 0;
    for (let i = 0; i < weighted.length; i++) sum += weighted[i]! * weighted[i]!;
    blocks.push(sum / weighted.length);
  }
  const absolute = blocks.filter((z) => loudnessOf(z) > ABSOLUTE_GATE_LUFS);
  if (absolute.length === 0) return -Infinity;
  const relativeGate = loudnessOf(mean(absolute)) + RELATIVE_GATE_LU;
  const gated = absolute.filter((z) => loudnessOf(z) > relativeGate);
  return loudnessOf(mean(gated));
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Interpolation phases for 4× oversampling: a Hann-windowed sinc, 12 taps per phase. */
const OVERSAMPLE = 4;
const HALF_TAPS = 6;
const PHASES: Float64Array[] = Array.from({ length: OVERSAMPLE - 1 }, (_, p) => {
  const frac = (p + 1) / OVERSAMPLE;
  const taps = new Float64Array(2 * HALF_TAPS);
  for (let j = 0; j < taps.length; j++) {
    const x = j - (HALF_TAPS - 1) - frac; // distance from sample n-(HALF_TAPS-1)+j to the point n+frac
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const window = 0.5 + 0.5 * Math.cos((Math.PI * x) / (HALF_TAPS + 1));
    taps[j] = sinc * window;
  }
  return taps;
});

/**
 * Peak magnitude per sample interval, true-peak style: the larger of |x[n]| and the 4×
 * oversampled values between x[n] and x[n+1] (BS.1770-4 Annex 2 approach).
 */
function intervalPeaks(samples: Float32Array): Float32Array {
  const out = new Float32Array(samples.length);
  const n = samples.length;
  for (let i = 0; i < n; i++) {
    let peak = Math.abs(samples[i]!);
    if (i + 1 < n) {
      for (const taps of PHASES) {
        let v = 0;
        for (let j = 0; j < taps.length; j++) {
          const at = i - (HALF_TAPS - 1) + j;
          if (at >= 0 && at < n) v += samples[at]! * taps[j]!;
        }
        if (Math.abs(v) > peak) peak = Math.abs(v);
      }
    }
    out[i] = peak;
  }
  return out;
}

/** True peak in dBTP (4× oversampled, so inter-sample peaks count); −Infinity for silence. */
export function truePeakDb(audio: PcmAudio): number {
  const peaks = intervalPeaks(audio.samples);
  let peak = 0;
  for (let i = 0; i < peaks.length; i++) if (peaks[i]! > peak) peak = peaks[i]!;
  return peak <= 0 ? -Infinity : 20 * Math.log10(peak);
}

export interface NormalizeOptions {
  /** Integrated loudness to reach, LUFS. Default −16 (speech for streaming/podcasts). */
  targetLufs?: number;
  /** True-peak ceiling, dBTP. Default −1. */
  peakDb?: number;
}

/**
 * Gain to the target loudness, then a smooth look-ahead limiter (zero-phase, since the whole
 * signal is known) that keeps the true peak under the ceiling; the gain is re-measured and
 * corrected so limiting does not pull the loudness off target. A final gain check guarantees
 * the ceiling: nothing is ever clipped. Silence comes back unchanged.
 */
export function normalizeLoudness(audio: PcmAudio, options: NormalizeOptions = {}): PcmAudio {
  const target = options.targetLufs ?? -16;
  const ceiling = Math.pow(10, (options.peakDb ?? -1) / 20);
  const measured = integratedLoudness(audio);
  if (!Number.isFinite(measured)) return { sampleRate: audio.sampleRate, samples: audio.samples.slice() };
  const window = Math.max(1, Math.round(0.005 * audio.sampleRate));
  const inputPeaks = intervalPeaks(audio.samples);
  const loudnessAt = (gainDb: number): { out: Float32Array; error: number } => {
    const out = limit(audio.samples, inputPeaks, Math.pow(10, gainDb / 20), ceiling, window);
    return { out, error: target - integratedLoudness({ sampleRate: audio.sampleRate, samples: out }) };
  };
  // Limiting makes loudness grow more slowly than gain, so the gain is found by the secant
  // method (loudness is monotonic in gain); without limiting the first pass is exact.
  let previousGain = target - measured;
  let { out, error } = loudnessAt(previousGain);
  let gainDb = previousGain + error;
  for (let pass = 0; pass < 10 && Math.abs(error) >= 0.02; pass++) {
    const next = loudnessAt(gainDb);
    if (!Number.isFinite(next.error)) break;
    const slope = (error - next.error) / (gainDb - previousGain); // LU gained per dB, in (0, 1]
    out = next.out;
    previousGain = gainDb;
    error = next.error;
    gainDb += Math.min(24, error / Math.min(1, Math.max(0.02, Number.isFinite(slope) ? slope : 1)));
  }
  // Guarantee: whatever the limiter left above the ceiling is scaled away.
  const peaks = intervalPeaks(out);
  let peak = 0;
  for (let i = 0; i < peaks.length; i++) if (peaks[i]! > peak) peak = peaks[i]!;
  if (peak > ceiling) {
    const scale = (ceiling / peak) * 0.999;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale;
  }
  return { sampleRate: audio.sampleRate, samples: out };
}

/** x·gain with a gain envelope that dips smoothly wherever the (true) peak would pass the ceiling. */
function limit(samples: Float32Array, peaks: Float32Array, gain: number, ceiling: number, window: number): Float32Array {
  const n = samples.length;
  const required = new Float64Array(n);
  let needed = false;
  for (let i = 0; i < n; i++) {
    const p = peaks[i]! * gain;
    required[i] = p > ceiling ? ceiling / p : 1;
    if (p > ceiling) needed = true;
  }
  const out = new Float32Array(n);
  if (!needed) {
    for (let i = 0; i < n; i++) out[i] = samples[i]! * gain;
    return out;
  }
  // The minimum over ±window, then its mean over ±window: smooth, and never above the
  // required gain at any sample (every term of the mean is a minimum that includes it).
  const minimum = slidingMin(required, window);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + minimum[i]!;
  const width = 2 * window + 1;
  const envelope = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(n, i + window + 1);
    // Positions past either end take the edge value, which still covers sample i.
    const outside = (window - (i - from)) * minimum[0]! + (window - (to - 1 - i)) * minimum[n - 1]!;
    envelope[i] = (prefix[to]! - prefix[from]! + outside) / width;
  }
  for (let i = 0; i < n; i++) out[i] = samples[i]! * gain * Math.min(1, envelope[i]!);
  return out;
}

/** Minimum over [i − r, i + r] for every i (monotonic deque, O(n)). */
function slidingMin(values: Float64Array, r: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const right = Math.min(n - 1, i + r);
    while (next <= right) {
      while (tail > head && values[deque[tail - 1]!]! >= values[next]!) tail--;
      deque[tail++] = next++;
    }
    while (deque[head]! < i - r) head++;
    out[i] = values[deque[head]!]!;
  }
  return out;
}
