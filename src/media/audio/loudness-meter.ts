/**
 * Loudness after ITU-R BS.1770-4 / EBU R128 for mono audio (channel weight 1): K-weighting
 * (high shelf + high pass, coefficients derived for the actual sample rate), 400 ms blocks
 * with 75 % overlap, an absolute gate at −70 LUFS and a relative gate 10 LU below the
 * absolutely gated loudness.
 *
 * The meter is fed in pieces, so a caller that produces a signal (the limiter) measures each
 * piece while it is still in cache instead of writing the whole signal out and reading it back
 * (the same operations in the same order as measuring the finished signal: the same number).
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

const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;

function loudnessOf(meanSquare: number): number {
  return meanSquare <= 0 ? -Infinity : -0.691 + 10 * Math.log10(meanSquare);
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Integrated loudness of a signal given to `add` in order, piece by piece; `result()` once at the end. */
export class LoudnessMeter {
  readonly #fs: number;
  readonly #shelf: Biquad;
  readonly #highPass: Biquad;
  /** Filter state: the last two inputs, shelf outputs and high-pass outputs. */
  #x1 = 0;
  #x2 = 0;
  #y1 = 0;
  #y2 = 0;
  #z1 = 0;
  #z2 = 0;
  /** Samples measured so far. */
  #count = 0;
  /** Sum of squares over every sample (the measure of audio shorter than one block). */
  #total = 0;
  /** The 100 ms step being filled: its index, end (exclusive) and sum so far. */
  #step = 0;
  #stepEnd: number;
  #stepSum = 0;
  readonly #steps: number[] = [];
  readonly #stepLengths: number[] = [];

  constructor(sampleRate: number) {
    this.#fs = sampleRate;
    [this.#shelf, this.#highPass] = kWeighting(sampleRate);
    this.#stepEnd = Math.round(0.1 * sampleRate);
  }

  /** Measures samples[from..to), the next piece of the signal. */
  add(samples: Float32Array, from = 0, to = samples.length): void {
    let i = from;
    while (i < to) {
      const end = Math.min(to, i + (this.#stepEnd - this.#count));
      this.#filter(samples, i, end);
      this.#count += end - i;
      i = end;
      if (this.#count === this.#stepEnd) {
        this.#steps.push(this.#stepSum);
        this.#stepLengths.push(this.#stepEnd - Math.round(this.#step * 0.1 * this.#fs));
        this.#step++;
        this.#stepSum = 0;
        this.#stepEnd = Math.round((this.#step + 1) * 0.1 * this.#fs);
      }
    }
  }

  /** Both K-weighting stages, squared, summed into the current step and the total. */
  #filter(input: Float32Array, from: number, to: number): void {
    const { b0: sb0, b1: sb1, b2: sb2, a1: sa1, a2: sa2 } = this.#shelf;
    const { b0: hb0, b1: hb1, b2: hb2, a1: ha1, a2: ha2 } = this.#highPass;
    let x1 = this.#x1, x2 = this.#x2, y1 = this.#y1, y2 = this.#y2, z1 = this.#z1, z2 = this.#z2;
    let sum = this.#stepSum;
    let total = this.#total;
    for (let i = from; i < to; i++) {
      const x = input[i]!;
      const y = sb0 * x + sb1 * x1 + sb2 * x2 - sa1 * y1 - sa2 * y2;
      const z = hb0 * y + hb1 * y1 + hb2 * y2 - ha1 * z1 - ha2 * z2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
      const square = z * z;
      sum += square;
      total += square;
    }
    this.#x1 = x1;
    this.#x2 = x2;
    this.#y1 = y1;
    this.#y2 = y2;
    this.#z1 = z1;
    this.#z2 = z2;
    this.#stepSum = sum;
    this.#total = total;
  }

  /**
   * Integrated loudness in LUFS; −Infinity for silence. Audio shorter than one 400 ms block is
   * measured as a single block over its whole length (BS.1770 itself would give no result).
   */
  result(): number {
    if (this.#count === 0) return -Infinity;
    const steps = this.#steps;
    const lengths = this.#stepLengths;
    const blocks: number[] = [];
    for (let k = 0; k + 4 <= steps.length; k++) {
      const sum = steps[k]! + steps[k + 1]! + steps[k + 2]! + steps[k + 3]!;
      const length = lengths[k]! + lengths[k + 1]! + lengths[k + 2]! + lengths[k + 3]!;
      blocks.push(sum / length);
    }
    if (blocks.length === 0) blocks.push(this.#total / this.#count);
    const absolute = blocks.filter((z) => loudnessOf(z) > ABSOLUTE_GATE_LUFS);
    if (absolute.length === 0) return -Infinity;
    const relativeGate = loudnessOf(mean(absolute)) + RELATIVE_GATE_LU;
    const gated = absolute.filter((z) => loudnessOf(z) > relativeGate);
    return loudnessOf(mean(gated));
  }
}
