import { LoudnessMeter } from './loudness-meter.ts';
import type { PcmAudio } from './pcm.ts';
import { scratchFloat32, scratchFloat64 } from './scratch.ts';

/**
 * Integrated loudness in LUFS after ITU-R BS.1770-4 / EBU R128 (see LoudnessMeter); −Infinity
 * for silence. Audio shorter than one 400 ms block is measured as a single block.
 */
export function integratedLoudness(audio: PcmAudio): number {
  const meter = new LoudnessMeter(audio.sampleRate);
  meter.add(audio.samples);
  return meter.result();
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
 * oversampled values between x[n] and x[n+1] (BS.1770-4 Annex 2 approach), for samples
 * [from, to) into out[0, to − from).
 */
function intervalPeaksInto(samples: Float32Array, from: number, to: number, out: Float32Array): void {
  const n = samples.length;
  // The edges (taps past either end count as 0) take the general loop; the interior, where
  // every tap is inside, takes an unrolled loop with the same products summed in the same
  // order (so the same doubles), ~10× faster: this ran 3+ times per normalisation.
  const interiorFrom = Math.max(from, Math.min(to, HALF_TAPS - 1));
  const interiorTo = Math.max(interiorFrom, Math.min(to, n - HALF_TAPS)); // exclusive; i + HALF_TAPS < n, so i + 1 < n as well
  for (let i = from; i < interiorFrom; i++) out[i - from] = edgePeak(samples, i);
  const [p0, p1, p2] = PHASES as [Float64Array, Float64Array, Float64Array];
  const a0 = p0[0]!, a1 = p0[1]!, a2 = p0[2]!, a3 = p0[3]!, a4 = p0[4]!, a5 = p0[5]!, a6 = p0[6]!, a7 = p0[7]!, a8 = p0[8]!, a9 = p0[9]!, a10 = p0[10]!, a11 = p0[11]!;
  const b0 = p1[0]!, b1 = p1[1]!, b2 = p1[2]!, b3 = p1[3]!, b4 = p1[4]!, b5 = p1[5]!, b6 = p1[6]!, b7 = p1[7]!, b8 = p1[8]!, b9 = p1[9]!, b10 = p1[10]!, b11 = p1[11]!;
  const c0 = p2[0]!, c1 = p2[1]!, c2 = p2[2]!, c3 = p2[3]!, c4 = p2[4]!, c5 = p2[5]!, c6 = p2[6]!, c7 = p2[7]!, c8 = p2[8]!, c9 = p2[9]!, c10 = p2[10]!, c11 = p2[11]!;
  for (let i = interiorFrom; i < interiorTo; i++) {
    const base = i - (HALF_TAPS - 1);
    const x0 = samples[base]!, x1 = samples[base + 1]!, x2 = samples[base + 2]!, x3 = samples[base + 3]!, x4 = samples[base + 4]!, x5 = samples[base + 5]!;
    const x6 = samples[base + 6]!, x7 = samples[base + 7]!, x8 = samples[base + 8]!, x9 = samples[base + 9]!, x10 = samples[base + 10]!, x11 = samples[base + 11]!;
    let peak = Math.abs(x5);
    const va = 0 + x0 * a0 + x1 * a1 + x2 * a2 + x3 * a3 + x4 * a4 + x5 * a5 + x6 * a6 + x7 * a7 + x8 * a8 + x9 * a9 + x10 * a10 + x11 * a11;
    if (Math.abs(va) > peak) peak = Math.abs(va);
    const vb = 0 + x0 * b0 + x1 * b1 + x2 * b2 + x3 * b3 + x4 * b4 + x5 * b5 + x6 * b6 + x7 * b7 + x8 * b8 + x9 * b9 + x10 * b10 + x11 * b11;
    if (Math.abs(vb) > peak) peak = Math.abs(vb);
    const vc = 0 + x0 * c0 + x1 * c1 + x2 * c2 + x3 * c3 + x4 * c4 + x5 * c5 + x6 * c6 + x7 * c7 + x8 * c8 + x9 * c9 + x10 * c10 + x11 * c11;
    if (Math.abs(vc) > peak) peak = Math.abs(vc);
    out[i - from] = peak;
  }
  for (let i = interiorTo; i < to; i++) out[i - from] = edgePeak(samples, i);
}

/** No interval peak exceeds this many times the largest |sample| within its taps (the largest sum of |tap| over the phases). */
const TAPS_GAIN = Math.max(1, ...PHASES.map((taps) => taps.reduce((sum, tap) => sum + Math.abs(tap), 0)));
const PEAK_BLOCK = 64;

/**
 * The largest interval peak (what intervalPeaks gives, exactly) when it is above `ceiling`;
 * otherwise some value at most `ceiling`. Blocks whose samples cannot reach the ceiling through
 * any tap are not interpolated: after limiting, most of the signal is well below it.
 */
function peakAbove(samples: Float32Array, ceiling: number): number {
  const n = samples.length;
  const peaks = new Float32Array(PEAK_BLOCK);
  let peak = 0;
  for (let from = 0; from < n; from += PEAK_BLOCK) {
    const to = Math.min(n, from + PEAK_BLOCK);
    if (!mayPeakAbove(samples, from, to, ceiling)) continue;
    intervalPeaksInto(samples, from, to, peaks);
    for (let i = 0; i < to - from; i++) if (peaks[i]! > peak) peak = peaks[i]!;
  }
  return peak;
}

/**
 * Whether some interval peak of samples [from, to) may be above `level`: false only when the
 * loudest sample within the taps' reach times TAPS_GAIN cannot get there (with a margin for
 * the rounding of the sums and of the peaks to float32, far below 1e-6).
 */
function mayPeakAbove(samples: Float32Array, from: number, to: number, level: number): boolean {
  const n = samples.length;
  const reach = level / (TAPS_GAIN * (1 + 1e-6));
  let loudest = 0;
  for (let i = Math.max(0, from - HALF_TAPS); i < Math.min(n, to + HALF_TAPS); i++) {
    const magnitude = Math.abs(samples[i]!);
    if (magnitude > loudest) loudest = magnitude;
  }
  return loudest > reach;
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
  const { samples } = audio;
  // Piece by piece: only the largest is wanted.
  const peaks = new Float32Array(Math.min(PIECE, samples.length));
  let peak = 0;
  for (let from = 0; from < samples.length; from += PIECE) {
    const to = Math.min(samples.length, from + PIECE);
    intervalPeaksInto(samples, from, to, peaks);
    for (let i = 0; i < to - from; i++) if (peaks[i]! > peak) peak = peaks[i]!;
  }
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
  const normalized = normalizeLoudnessTransient(audio, options);
  return { sampleRate: audio.sampleRate, samples: normalized.samples.slice() };
}

/**
 * normalizeLoudness into this thread's scratch buffers (scratch.ts): the samples are valid
 * until the next normalisation on this thread, and are `audio.samples` itself for silence.
 * For a caller that only reads them at once (masterWav encodes them). `headroomDb` only
 * changes the speed, never the samples (tests pass Infinity: every peak computed up front).
 */
export function normalizeLoudnessTransient(audio: PcmAudio, options: NormalizeOptions = {}, headroomDb = LIMIT_HEADROOM_DB): PcmAudio {
  const target = options.targetLufs ?? -16;
  const ceiling = Math.pow(10, (options.peakDb ?? -1) / 20);
  const measured = integratedLoudness(audio);
  if (!Number.isFinite(measured)) return { sampleRate: audio.sampleRate, samples: audio.samples };
  const n = audio.samples.length;
  const window = Math.max(1, Math.round(0.005 * audio.sampleRate));
  // Peaks only matter where the gain can lift them past the ceiling: up to headroomDb more gain
  // than the first pass's is foreseen (the secant passes rarely add 1 dB); past that, all are computed.
  const foreseenGain = Math.pow(10, (target - measured + headroomDb) / 20);
  const limiter = new Limiter(audio.samples, ceiling, window, ceiling / foreseenGain);
  // The best pass so far and the one being tried: two buffers, swapped.
  let out = scratchFloat32('loudness.out', n);
  let trial = scratchFloat32('loudness.trial', n);
  const errorAt = (gainDb: number, into: Float32Array): number => {
    const meter = new LoudnessMeter(audio.sampleRate);
    limiter.apply(Math.pow(10, gainDb / 20), meter, into);
    return target - meter.result();
  };
  // Limiting makes loudness grow more slowly than gain, so the gain is found by the secant
  // method (loudness is monotonic in gain); without limiting the first pass is exact.
  let previousGain = target - measured;
  let error = errorAt(previousGain, out);
  let gainDb = previousGain + error;
  for (let pass = 0; pass < 10 && Math.abs(error) >= 0.02; pass++) {
    const nextError = errorAt(gainDb, trial);
    if (!Number.isFinite(nextError)) break;
    const slope = (error - nextError) / (gainDb - previousGain); // LU gained per dB, in (0, 1]
    [out, trial] = [trial, out];
    previousGain = gainDb;
    error = nextError;
    gainDb += Math.min(24, error / Math.min(1, Math.max(0.02, Number.isFinite(slope) ? slope : 1)));
  }
  // Guarantee: whatever the limiter left above the ceiling is scaled away.
  const peak = peakAbove(out, ceiling);
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
/** Samples the limiter writes before the meter reads them: small enough to stay in the L1/L2 cache. */
const PIECE = 4096;
/** How much more gain than the first pass's the limiter's peaks are computed for at first. */
const LIMIT_HEADROOM_DB = 6;

class Limiter {
  readonly #samples: Float32Array;
  readonly #ceiling: number;
  readonly #window: number;
  /**
   * The largest interval peak within ±window of each sample, exact wherever it is above
   * #exactAbove; elsewhere some value no larger (blocks that cannot reach it are skipped). Any
   * gain g with exactAbove·g ≤ ceiling then limits exactly as with every peak computed: a
   * window whose true peak is above exactAbove holds an exact block with that peak, and one
   * whose values are all at most exactAbove needs no limiting at g either way.
   */
  #windowPeak: Float32Array;
  #maxPeak: number;
  /** 0 once every peak is computed. */
  #exactAbove: number;
  #prefix: Float64Array | undefined;

  constructor(samples: Float32Array, ceiling: number, window: number, exactAbove: number) {
    this.#samples = samples;
    this.#ceiling = ceiling;
    this.#window = window;
    this.#exactAbove = exactAbove;
    [this.#windowPeak, this.#maxPeak] = this.#peaks();
  }

  /** Interval peaks of the blocks that can pass #exactAbove (0 for the others), their sliding maximum and their maximum. */
  #peaks(): [Float32Array, number] {
    const samples = this.#samples;
    const n = samples.length;
    const peaks = scratchFloat32('loudness.peaks', n);
    if (this.#exactAbove <= 0) intervalPeaksInto(samples, 0, n, peaks);
    else {
      for (let from = 0; from < n; from += PEAK_BLOCK) {
        const to = Math.min(n, from + PEAK_BLOCK);
        if (mayPeakAbove(samples, from, to, this.#exactAbove)) intervalPeaksInto(samples, from, to, peaks.subarray(from, to));
        else peaks.fill(0, from, to);
      }
    }
    let max = 0;
    for (let i = 0; i < n; i++) if (peaks[i]! > max) max = peaks[i]!;
    return [slidingMax(peaks, this.#window, scratchFloat32('loudness.window-peak', n)), max];
  }

  /** The limited signal at this gain into `out`, measured by `meter` piece by piece as it is written (while in cache). */
  apply(gain: number, meter: LoudnessMeter, out: Float32Array): void {
    const samples = this.#samples;
    const n = samples.length;
    const ceiling = this.#ceiling;
    if (this.#exactAbove > 0 && !(this.#exactAbove * gain <= ceiling)) {
      // More gain than foreseen: every peak is needed now.
      this.#exactAbove = 0;
      [this.#windowPeak, this.#maxPeak] = this.#peaks();
    }
    if (!(this.#maxPeak * gain > ceiling)) {
      for (let from = 0; from < n; from += PIECE) {
        const to = Math.min(n, from + PIECE);
        for (let i = from; i < to; i++) out[i] = samples[i]! * gain;
        meter.add(out, from, to);
      }
      return;
    }
    const window = this.#window;
    const windowPeak = this.#windowPeak;
    // The minimum over ±window of the required gain, then its mean over ±window: smooth, and
    // never above the required gain at any sample (every term of the mean is a minimum that includes it).
    // Only its running sum is kept: the mean over ±window is a difference of two sums.
    const required = (i: number): number => {
      const p = windowPeak[i]! * gain;
      return p > ceiling ? ceiling / p : 1;
    };
    const prefix = (this.#prefix ??= scratchFloat64('loudness.prefix', n + 1));
    prefix[0] = 0;
    for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + required(i);
    const width = 2 * window + 1;
    // What positions past either end take: the required gain of the first and of the last sample.
    const first = required(0);
    const last = required(n - 1);
    const atEdge = (i: number): void => {
      const from = Math.max(0, i - window);
      const to = Math.min(n, i + window + 1);
      // Positions past either end take the edge value, which still covers sample i.
      const outside = (window - (i - from)) * first + (window - (to - 1 - i)) * last;
      const envelope = (prefix[to]! - prefix[from]! + outside) / width;
      out[i] = samples[i]! * gain * Math.min(1, envelope);
    };
    // Inside [window, n − window) the ±window span passes neither end: nothing outside to add
    // (what the edge formula adds there is 0 · first + 0 · last: the same bits without it).
    const interiorFrom = Math.min(n, window);
    const interiorTo = Math.max(interiorFrom, n - window);
    for (let start = 0; start < n; start += PIECE) {
      const end = Math.min(n, start + PIECE);
      const innerFrom = Math.min(end, Math.max(start, interiorFrom));
      const innerTo = Math.max(innerFrom, Math.min(end, interiorTo));
      for (let i = start; i < innerFrom; i++) atEdge(i);
      for (let i = innerFrom; i < innerTo; i++) out[i] = samples[i]! * gain * Math.min(1, (prefix[i + window + 1]! - prefix[i - window]!) / width);
      for (let i = innerTo; i < end; i++) atEdge(i);
      meter.add(out, start, end);
    }
  }
}

/**
 * Maximum over [i − r, i + r] (clipped to the signal) for every i, in O(n) without branches on
 * a queue (van Herk / Gil-Werman): in blocks of 2r + 1, running maxima from each block's start
 * (g) and to its end (h); a window spans at most two blocks, so its maximum is h at its start
 * and g at its end. The same maxima as any other way of finding them.
 */
function slidingMax(values: Float32Array, r: number, out: Float32Array): Float32Array {
  const n = values.length;
  const width = 2 * r + 1;
  const fromStart = scratchFloat32('loudness.max-from-start', n);
  const toEnd = scratchFloat32('loudness.max-to-end', n);
  for (let start = 0; start < n; start += width) {
    const end = Math.min(n, start + width);
    let max = values[start]!;
    fromStart[start] = max;
    for (let i = start + 1; i < end; i++) {
      if (values[i]! > max) max = values[i]!;
      fromStart[i] = max;
    }
    max = values[end - 1]!;
    toEnd[end - 1] = max;
    for (let i = end - 2; i >= start; i--) {
      if (values[i]! > max) max = values[i]!;
      toEnd[i] = max;
    }
  }
  for (let i = 0; i < n; i++) {
    const from = Math.max(0, i - r);
    const to = Math.min(n - 1, i + r);
    if (Math.floor(from / width) !== Math.floor(to / width)) out[i] = Math.max(toEnd[from]!, fromStart[to]!);
    // One block: the window starts at the block's start (the signal's), or ends at the signal's end.
    else out[i] = from % width === 0 ? fromStart[to]! : toEnd[from]!;
  }
  return out;
}
