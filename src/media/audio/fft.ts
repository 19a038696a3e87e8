/**
 * Radix-2 FFT for real signals. A real input of length n is packed into n/2 complex points
 * (even samples real, odd samples imaginary), transformed by an iterative complex FFT, and
 * unpacked into the n/2 + 1 non-redundant bins: half the work of a complex FFT of size n.
 * Twiddles and the bit-reversal table are computed once per size.
 */
export class RealFft {
  readonly size: number;
  readonly #half: number;
  /** cos/sin of -2πk/half for the complex half-size FFT. */
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;
  /** cos/sin of -2πk/size for the real unpacking step. */
  readonly #unpackCos: Float64Array;
  readonly #unpackSin: Float64Array;
  readonly #reverse: Uint32Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two ≥ 4, got ${size}`);
    }
    this.size = size;
    const half = size / 2;
    this.#half = half;
    this.#cos = new Float64Array(half / 2);
    this.#sin = new Float64Array(half / 2);
    for (let k = 0; k < half / 2; k++) {
      this.#cos[k] = Math.cos((-2 * Math.PI * k) / half);
      this.#sin[k] = Math.sin((-2 * Math.PI * k) / half);
    }
    this.#unpackCos = new Float64Array(half);
    this.#unpackSin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.#unpackCos[k] = Math.cos((-2 * Math.PI * k) / size);
      this.#unpackSin[k] = Math.sin((-2 * Math.PI * k) / size);
    }
    const bits = Math.log2(half);
    this.#reverse = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#reverse[i] = r;
    }
    this.#re = new Float64Array(half);
    this.#im = new Float64Array(half);
  }

  /**
   * Spectrum of `input` (read up to `size` samples; missing ones are zero) into `re`/`im`,
   * each of length at least size/2 + 1.
   */
  forward(input: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    const half = this.#half;
    const zr = this.#re;
    const zi = this.#im;
    const n = Math.min(input.length, this.size);
    for (let k = 0; k < half; k++) {
      const r = this.#reverse[k]!;
      const i0 = 2 * k;
      zr[r] = i0 < n ? input[i0]! : 0;
      zi[r] = i0 + 1 < n ? input[i0 + 1]! : 0;
    }
    this.#complexInPlace(zr, zi);
    // Unpack: X[k] = E[k] + W^k O[k], where E and O are the spectra of the even and odd samples.
    re[0] = zr[0]! + zi[0]!;
    im[0] = 0;
    re[half] = zr[0]! - zi[0]!;
    im[half] = 0;
    for (let k = 1; k < half; k++) {
      const ar = zr[k]!;
      const ai = zi[k]!;
      const br = zr[half - k]!;
      const bi = -zi[half - k]!; // conj(Z[half - k])
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      // O[k] = (Z[k] - conj(Z[half-k])) / 2i
      const dr = 0.5 * (ar - br);
      const di = 0.5 * (ai - bi);
      const or = di;
      const oi = -dr;
      const wr = this.#unpackCos[k]!;
      const wi = this.#unpackSin[k]!;
      re[k] = er + wr * or - wi * oi;
      im[k] = ei + wr * oi + wi * or;
    }
  }

  /** |X[k]|² for k = 0..size/2 into `out` (length at least size/2 + 1). */
  power(input: ArrayLike<number>, out: Float64Array, scratchRe: Float64Array, scratchIm: Float64Array): void {
    this.forward(input, scratchRe, scratchIm);
    for (let k = 0; k <= this.#half; k++) out[k] = scratchRe[k]! * scratchRe[k]! + scratchIm[k]! * scratchIm[k]!;
  }

  #complexInPlace(re: Float64Array, im: Float64Array): void {
    const n = this.#half;
    for (let len = 2; len <= n; len *= 2) {
      const halfLen = len / 2;
      const step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let j = 0; j < halfLen; j++) {
          const wr = this.#cos[j * step]!;
          const wi = this.#sin[j * step]!;
          const a = start + j;
          const b = a + halfLen;
          const tr = re[b]! * wr - im[b]! * wi;
          const ti = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
  }
}
