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

/** The K-weighted signal squared, sample by sample: both biquads in one loop, no intermediate copy. */
function kWeightedSquares(input: Float32Array, shelf: Biquad, highPass: Biquad): Float64Array {
  const out = new Float64Array(input.length);
  const { b0: sb0, b1: sb1, b2: sb2, a1: sa1, a2: sa2 } = shelf;
  const { b0: hb0, b1: hb1, b2: hb2, a1: ha1, a2: ha2 } = highPass;
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0, z1 = 0, z2 = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    const y = sb0 * x + sb1 * x1 + sb2 * x2 - sa1 * y1 - sa2 * y2;
    const z = hb0 * y + hb1 * y1 + hb2 * y2 - ha1 * z1 - ha2 * z2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    z2 = z1;
    z1 = z;
    out[i] = z * z;
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
  // Both K-weighting stages and the sums of squares per 100 ms step in one pass, without the
  // two filtered copies (the same operations in the same order as filtering twice: the same sums).
  const weighted = kWeightedSquares(samples, shelf, highPass);
  const steps: number[] = [];
  const stepLengths: number[] = [];
  for (let k = 0; ; k++) {
    const from = Math.round(k * 0.1 * fs);
    const to = Math.round((k + 1) * 0.1 * fs);
    if (to > samples.length) break;
    let sum = 0;
    for (let i = from; i < to; i++) sum += weighted[i]!;
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
    for (let i = 0; i < weighted.length; i++) sum += weighted[i]!;
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
  // The edges (taps past either end count as 0) take the general loop; the interior, where
  // every tap is inside, takes an unrolled loop with the same products summed in the same
  // order (so the same doubles), ~10× faster: this ran 3+ times per normalisation.
  const interiorFrom = HALF_TAPS - 1;
  const interiorTo = n - HALF_TAPS; // exclusive; i + HALF_TAPS < n, so i + 1 < n as well
  for (let i = 0; i < Math.min(n, interiorFrom); i++) out[i] = edgePeak(samples, i);
  const [p0, p1, p2] = PHASES as [Float64Array, Float64Array, Float64Array];
  const a0 = p0[0]!, a1 = p0[1]!, a2 = p0[2]!, a3 = p0[3]!, a4 = p0[4]!, a5 = p0[5]!, a6 = p0[6]!, a7 = p0[7]!, a8 = p0[8]!, a9 = p0[9]!, a10 = p0[10]!, a11 = p0[11]!;
  const b0 = p1[0]!, b1 = p1[1]!, b2 = p1[2]!, b3 = p1[3]!, b4 = p1[4]!, b5 = p1[5]!, b6 = p1[6]!, b7 = p1[7]!, b8 = p1[8]!, b9 = p1[9]!, b10 = p1[10]!, b11 = p1[11]!;
  const c0 = p2[0]!, c1 = p2[1]!, c2 = p2[2]!, c3 = p2[3]!, c4 = p2[4]!, c5 = p2[5]!, c6 = p2[6]!, c7 = p2[7]!, c8 = p2[8]!, c9 = p2[9]!, c10 = p2[10]!, c11 = p2[11]!;
  for (let i = interiorFrom; i < interiorTo; i++) {
    const base = i - interiorFrom;
    const x0 = samples[base]!, x1 = samples[base + 1]!, x2 = samples[base + 2]!, x3 = samples[base + 3]!, x4 = samples[base + 4]!, x5 = samples[base + 5]!;
    const x6 = samples[base + 6]!, x7 = samples[base + 7]!, x8 = samples[base + 8]!, x9 = samples[base + 9]!, x10 = samples[base + 10]!, x11 = samples[base + 11]!;
    let peak = Math.abs(x5);
    const va = 0 + x0 * a0 + x1 * a1 + x2 * a2 + x3 * a3 + x4 * a4 + x5 * a5 + x6 * a6 + x7 * a7 + x8 * a8 + x9 * a9 + x10 * a10 + x11 * a11;
    if (Math.abs(va) > peak) peak = Math.abs(va);
    const vb = 0 + x0 * b0 + x1 * b1 + x2 * b2 + x3 * b3 + x4 * b4 + x5 * b5 + x6 * b6 + x7 * b7 + x8 * b8 + x9 * b9 + x10 * b10 + x11 * b11;
    if (Math.abs(vb) > peak) peak = Math.abs(vb);
    const vc = 0 + x0 * c0 + x1 * c1 + x2 * c2 + x3 * c3 + x4 * c4 + x5 * c5 + x6 * c6 + x7 * c7 + x8 * c8 + x9 * c9 + x10 * c10 + x11 * c11;
    if (Math.abs(vc) > peak) peak = Math.abs(vc);
    out[i] = peak;
  }
  for (let i = Math.max(interiorFrom, interiorTo); i < n; i++) out[i] = edgePeak(samples, i);
  return out;
}

/** One sample's interval peak with the taps past either end left out. */
function edgePeak(samples: Float32Array, i: number): number {
  const n = samples.length;
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
  return peak;
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
  const limiter = new Limiter(audio.samples, intervalPeaks(audio.samples), ceiling, window);
  const loudnessAt = (gainDb: number): { out: Float32Array; error: number } => {
    const out = limiter.apply(Math.pow(10, gainDb / 20));
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

/**
 * x·gain with a gain envelope that dips smoothly wherever the (true) peak would pass the
 * ceiling. The largest peak within ±window does not depend on the gain, so it is found once
 * for all the secant passes: min over the window of ceiling/(peak·gain) is ceiling/(max
 * peak·gain) exactly (division rounds monotonically), the same numbers as taking the minimum
 * of the per-sample required gains on every pass.
 */
class Limiter {
  readonly #samples: Float32Array;
  readonly #ceiling: number;
  readonly #window: number;
  /** The largest interval peak within ±window of each sample. */
  readonly #windowPeak: Float32Array;
  readonly #maxPeak: number;
  #minimum: Float64Array | undefined;
  #prefix: Float64Array | undefined;

  constructor(samples: Float32Array, peaks: Float32Array, ceiling: number, window: number) {
    this.#samples = samples;
    this.#ceiling = ceiling;
    this.#window = window;
    this.#windowPeak = slidingMax(peaks, window);
    let max = 0;
    for (let i = 0; i < peaks.length; i++) if (peaks[i]! > max) max = peaks[i]!;
    this.#maxPeak = max;
  }

  apply(gain: number): Float32Array {
    const samples = this.#samples;
    const n = samples.length;
    const ceiling = this.#ceiling;
    const out = new Float32Array(n);
    if (!(this.#maxPeak * gain > ceiling)) {
      for (let i = 0; i < n; i++) out[i] = samples[i]! * gain;
      return out;
    }
    const window = this.#window;
    const windowPeak = this.#windowPeak;
    // The minimum over ±window of the required gain, then its mean over ±window: smooth, and
    // never above the required gain at any sample (every term of the mean is a minimum that includes it).
    const minimum = (this.#minimum ??= new Float64Array(n));
    const prefix = (this.#prefix ??= new Float64Array(n + 1));
    for (let i = 0; i < n; i++) {
      const p = windowPeak[i]! * gain;
      const m = p > ceiling ? ceiling / p : 1;
      minimum[i] = m;
      prefix[i + 1] = prefix[i]! + m;
    }
    const width = 2 * window + 1;
    const first = minimum[0]!;
    const last = minimum[n - 1]!;
    for (let i = 0; i < n; i++) {
      const from = Math.max(0, i - window);
      const to = Math.min(n, i + window + 1);
      // Positions past either end take the edge value, which still covers sample i.
      const outside = (window - (i - from)) * first + (window - (to - 1 - i)) * last;
      const envelope = (prefix[to]! - prefix[from]! + outside) / width;
      out[i] = samples[i]! * gain * Math.min(1, envelope);
    }
    return out;
  }
}

/** Maximum over [i − r, i + r] for every i (monotonic deque, O(n)). */
function slidingMax(values: Float32Array, r: number): Float32Array {
  const n = values.length;
  const out = new Float32Array(n);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const right = Math.min(n - 1, i + r);
    while (next <= right) {
      while (tail > head && values[deque[tail - 1]!]! <= values[next]!) tail--;
      deque[tail++] = next++;
    }
    while (deque[head]! < i - r) head++;
    out[i] = values[deque[head]!]!;
  }
  return out;
}
