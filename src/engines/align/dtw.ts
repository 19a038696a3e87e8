import type { FeatureFrames } from '../../media/audio/mfcc.ts';

/**
 * Dynamic time warping between two feature sequences, restricted to a band of cells so long
 * inputs stay O(N·W) in time and memory: a Sakoe-Chiba band around the (length-normalised)
 * diagonal, or, when even that band is too large, a coarse-to-fine search (FastDTW-style): the
 * path found on 2×-downsampled features, widened by a radius, bounds the search one level finer.
 *
 * Step pattern: symmetric (i−1, j−1), (i−1, j), (i, j−1), each adding the local distance.
 */

export type FrameDistance = 'cosine' | 'euclidean';

/** Only the parts of a feature sequence DTW reads. */
export type Features = Pick<FeatureFrames, 'data' | 'count' | 'dims'>;

/** Monotone path from (0, 0) to (n−1, m−1): step k pairs frame a[k] of the first sequence with b[k] of the second. */
export interface WarpingPath {
  readonly a: Int32Array;
  readonly b: Int32Array;
}

export interface DtwResult {
  readonly path: WarpingPath;
  /** Accumulated distance along the path. */
  readonly cost: number;
  /** Cells evaluated (band size), for diagnostics and benchmarks. */
  readonly cells: number;
}

/** Per row i of the first sequence, the inclusive column range [lo[i], hi[i]] of the second that may be visited. */
export interface Band {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

export interface DtwOptions {
  /**
   * Sakoe-Chiba half-width around the diagonal: frames, or `{ fraction }` of the longer
   * sequence. Default: unconstrained (full matrix).
   */
  window?: number | { fraction: number };
  distance?: FrameDistance;
}

export interface MultiscaleDtwOptions extends DtwOptions {
  /** Cells a single level may evaluate before it is solved coarse-to-fine instead. Default 4 million. */
  maxCells?: number;
  /** How far (in frames) the refined search may stray from the projected coarse path. Default 8. */
  radius?: number;
}

function checkFeatures(x: Features, name: string): void {
  if (x.count < 1) throw new RangeError(`DTW: sequence ${name} is empty`);
  if (x.data.length < x.count * x.dims) throw new RangeError(`DTW: sequence ${name} has fewer values than count × dims`);
}

function windowFrames(window: DtwOptions['window'], n: number, m: number): number {
  if (window === undefined) return Math.max(n, m);
  const frames = typeof window === 'number' ? window : Math.ceil(window.fraction * Math.max(n, m));
  if (!(frames >= 0)) throw new RangeError(`DTW: bad window ${JSON.stringify(window)}`);
  return Math.ceil(frames);
}

/** The Sakoe-Chiba band: columns within `halfWidth` of the diagonal j = i·(m−1)/(n−1). */
export function sakoeChibaBand(n: number, m: number, halfWidth: number): Band {
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const slope = n > 1 ? (m - 1) / (n - 1) : 0;
  for (let i = 0; i < n; i++) {
    const center = i * slope;
    lo[i] = Math.max(0, Math.floor(center - halfWidth));
    hi[i] = Math.min(m - 1, Math.ceil(center + halfWidth));
  }
  return connectBand({ lo, hi }, m);
}

/**
 * Makes a band usable: both corners inside, both edges non-decreasing, and each row
 * reachable from the one before (so a path always exists).
 */
function connectBand(band: Band, m: number): Band {
  const { lo, hi } = band;
  const n = lo.length;
  lo[0] = 0;
  hi[n - 1] = m - 1;
  for (let i = 0; i < n; i++) {
    lo[i] = Math.max(0, Math.min(lo[i]!, m - 1));
    hi[i] = Math.max(0, Math.min(hi[i]!, m - 1));
    if (i > 0) {
      lo[i] = Math.max(lo[i]!, lo[i - 1]!);
      hi[i] = Math.max(hi[i]!, hi[i - 1]!);
      lo[i] = Math.min(lo[i]!, hi[i - 1]! + 1);
    }
    if (hi[i]! < lo[i]!) hi[i] = lo[i]!;
  }
  return band;
}

/** Frames scaled to unit length, so cosine distance is 1 − dot product. */
function unitRows(x: Features): Float32Array {
  const out = new Float32Array(x.count * x.dims);
  for (let i = 0; i < x.count; i++) {
    let norm = 0;
    for (let k = 0; k < x.dims; k++) norm += x.data[i * x.dims + k]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < x.dims; k++) out[i * x.dims + k] = x.data[i * x.dims + k]! * scale;
  }
  return out;
}

const DIAGONAL = 0;
const UP = 1; // from (i−1, j)
const LEFT = 2; // from (i, j−1)

/** DTW restricted to `band` (rows index `a`, columns index `b`). */
export function dtwInBand(a: Features, b: Features, band: Band, distance: FrameDistance = 'cosine'): DtwResult {
  checkFeatures(a, 'a');
  checkFeatures(b, 'b');
  if (a.dims !== b.dims) throw new RangeError(`DTW: dimensions differ (${a.dims} vs ${b.dims})`);
  const n = a.count;
  const m = b.count;
  if (band.lo.length !== n || band.hi.length !== n) throw new RangeError('DTW: band does not have one range per row');
  const { lo, hi } = connectBand({ lo: Int32Array.from(band.lo), hi: Int32Array.from(band.hi) }, m);
  const dims = a.dims;
  const cosine = distance === 'cosine';
  const av = cosine ? unitRows(a) : a.data;
  const bv = cosine ? unitRows(b) : b.data;

  const rowStart = new Float64Array(n + 1);
  let widest = 0;
  for (let i = 0; i < n; i++) {
    const width = hi[i]! - lo[i]! + 1;
    rowStart[i + 1] = rowStart[i]! + width;
    if (width > widest) widest = width;
  }
  const cells = rowStart[n]!;
  const steps = new Uint8Array(cells);
  let prev = new Float64Array(widest);
  let cur = new Float64Array(widest);
  let prevLo = 0;
  let prevHi = -1;

  for (let i = 0; i < n; i++) {
    const l = lo[i]!;
    const h = hi[i]!;
    const base = rowStart[i]!;
    const ai = i * dims;
    for (let j = l; j <= h; j++) {
      const bj = j * dims;
      let d: number;
      if (cosine) {
        let dot = 0;
        for (let k = 0; k < dims; k++) dot += av[ai + k]! * bv[bj + k]!;
        d = 1 - dot;
      } else {
        let sum = 0;
        for (let k = 0; k < dims; k++) {
          const diff = av[ai + k]! - bv[bj + k]!;
          sum += diff * diff;
        }
        d = Math.sqrt(sum);
      }
      let best = Infinity;
      let step = DIAGONAL;
      if (i === 0 && j === 0) best = 0;
      else {
        if (i > 0 && j - 1 >= prevLo && j - 1 <= prevHi) best = prev[j - 1 - prevLo]!;
        if (i > 0 && j >= prevLo && j <= prevHi && prev[j - prevLo]! < best) {
          best = prev[j - prevLo]!;
          step = UP;
        }
        if (j > l && cur[j - 1 - l]! < best) {
          best = cur[j - 1 - l]!;
          step = LEFT;
        }
      }
      cur[j - l] = best + d;
      steps[base + j - l] = step;
    }
    [prev, cur] = [cur, prev];
    prevLo = l;
    prevHi = h;
  }
  const cost = prev[m - 1 - prevLo]!;

  // Walk back from the far corner.
  const pa: number[] = [];
  const pb: number[] = [];
  let i = n - 1;
  let j = m - 1;
  for (;;) {
    pa.push(i);
    pb.push(j);
    if (i === 0 && j === 0) break;
    const step = steps[rowStart[i]! + j - lo[i]!]!;
    if (step === DIAGONAL) {
      i--;
      j--;
    } else if (step === UP) i--;
    else j--;
  }
  const length = pa.length;
  const pathA = new Int32Array(length);
  const pathB = new Int32Array(length);
  for (let k = 0; k < length; k++) {
    pathA[k] = pa[length - 1 - k]!;
    pathB[k] = pb[length - 1 - k]!;
  }
  return { path: { a: pathA, b: pathB }, cost, cells };
}

/** DTW inside a Sakoe-Chiba band (default: the full matrix). */
export function dtw(a: Features, b: Features, options: DtwOptions = {}): DtwResult {
  checkFeatures(a, 'a');
  checkFeatures(b, 'b');
  const w = windowFrames(options.window, a.count, b.count);
  return dtwInBand(a, b, sakoeChibaBand(a.count, b.count, w), options.distance ?? 'cosine');
}

function bandCells(band: Band): number {
  let cells = 0;
  for (let i = 0; i < band.lo.length; i++) cells += band.hi[i]! - band.lo[i]! + 1;
  return cells;
}

/** Averages consecutive pairs of frames (a lone last frame is kept). */
export function halve(x: Features): Features {
  const count = Math.ceil(x.count / 2);
  const dims = x.dims;
  const data = new Float32Array(count * dims);
  for (let i = 0; i < count; i++) {
    const first = 2 * i;
    const second = Math.min(first + 1, x.count - 1);
    for (let k = 0; k < dims; k++) data[i * dims + k] = 0.5 * (x.data[first * dims + k]! + x.data[second * dims + k]!);
  }
  return { data, count, dims };
}

/** The band one level finer than a coarse path: each coarse cell covers 2×2 fine cells, then widened by `radius`. */
export function projectPath(path: WarpingPath, n: number, m: number, radius: number): Band {
  const lo = new Int32Array(n).fill(m);
  const hi = new Int32Array(n).fill(-1);
  for (let k = 0; k < path.a.length; k++) {
    const i = path.a[k]!;
    const j = path.b[k]!;
    for (let r = 2 * i; r <= Math.min(n - 1, 2 * i + 1); r++) {
      lo[r] = Math.min(lo[r]!, 2 * j);
      hi[r] = Math.max(hi[r]!, Math.min(m - 1, 2 * j + 1));
    }
  }
  // Widen across rows as well as columns: row i may use any column within radius of rows i±radius.
  const wideLo = new Int32Array(n);
  const wideHi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let l = m;
    let h = -1;
    for (let r = Math.max(0, i - radius); r <= Math.min(n - 1, i + radius); r++) {
      if (lo[r]! < l) l = lo[r]!;
      if (hi[r]! > h) h = hi[r]!;
    }
    wideLo[i] = Math.max(0, l - radius);
    wideHi[i] = Math.min(m - 1, h + radius);
  }
  return { lo: wideLo, hi: wideHi };
}

/**
 * DTW that stays within `maxCells` per level: the Sakoe-Chiba band when it fits, otherwise
 * the band around the path found on half-resolution features (recursively).
 */
export function dtwMultiscale(a: Features, b: Features, options: MultiscaleDtwOptions = {}): DtwResult {
  checkFeatures(a, 'a');
  checkFeatures(b, 'b');
  const distance = options.distance ?? 'cosine';
  const maxCells = options.maxCells ?? 4_000_000;
  const radius = options.radius ?? 8;
  if (!(maxCells >= 1) || !(radius >= 1)) throw new RangeError('DTW: maxCells and radius must be at least 1');
  const solve = (x: Features, y: Features, halfWidth: number): DtwResult => {
    const band = sakoeChibaBand(x.count, y.count, halfWidth);
    // Too small to coarsen further: solve in the band whatever it costs.
    if (bandCells(band) <= maxCells || Math.min(x.count, y.count) < 4 * radius) return dtwInBand(x, y, band, distance);
    const coarse = solve(halve(x), halve(y), Math.ceil(halfWidth / 2));
    return dtwInBand(x, y, projectPath(coarse.path, x.count, y.count, radius), distance);
  };
  return solve(a, b, windowFrames(options.window, a.count, b.count));
}
