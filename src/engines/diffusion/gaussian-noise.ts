import { seededRandom } from '../seeded-random.ts';

/** Standard normal draws from a seeded stream (Box–Muller on mulberry32): same seed, same latents, on every platform. */
export class GaussianNoise {
  readonly #uniform: () => number;
  #spare: number | undefined;

  constructor(seed: number) {
    this.#uniform = seededRandom(seed);
  }

  next(): number {
    if (this.#spare !== undefined) {
      const z = this.#spare;
      this.#spare = undefined;
      return z;
    }
    // 1 - u keeps the logarithm finite (u is in [0, 1)).
    const r = Math.sqrt(-2 * Math.log(1 - this.#uniform()));
    const theta = 2 * Math.PI * this.#uniform();
    this.#spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** A fresh array of `length` draws, each times `scale`. */
  fill(length: number, scale = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() * scale;
    return out;
  }
}
