import { execFileSync } from 'node:child_process';

/**
 * Independent measures of a rendered talking head, taken from the output file only (decoded
 * by ffmpeg): the mouth's opening per frame, the audio's envelope per frame, their lag, and
 * SSIM of the picture outside the face against the source portrait.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every frame as 8-bit luma, width × height each. */
export function decodeLumaFrames(path: string, width: number, height: number): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 30 });
  const size = width * height;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + size <= raw.length; at += size) frames.push(new Uint8Array(raw.buffer, raw.byteOffset + at, size));
  return frames;
}

export function decodeLuma(path: string, width: number, height: number): Uint8Array {
  return decodeLumaFrames(path, width, height)[0]!;
}

/** Mono float PCM of a file's audio at `rate`. */
export function decodeAudio(path: string, rate = 16_000): Float32Array {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-vn', '-ac', '1', '-ar', String(rate), '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

/** How dark the mouth box is in each frame: the share of pixels darker than `threshold` (an open mouth shows its cavity). */
export function mouthOpening(frames: readonly Uint8Array[], width: number, box: Box, threshold = 70): number[] {
  return frames.map((frame) => {
    let dark = 0;
    let n = 0;
    for (let y = Math.round(box.y); y < Math.round(box.y + box.height); y++) {
      for (let x = Math.round(box.x); x < Math.round(box.x + box.width); x++) {
        n++;
        if (frame[y * width + x]! < threshold) dark++;
      }
    }
    return dark / n;
  });
}

/** RMS of the audio in a window of one frame centred on each frame's time. */
export function audioEnvelope(samples: Float32Array, rate: number, fps: number, frames: number): number[] {
  const half = Math.round(rate / fps / 2);
  const out: number[] = [];
  for (let i = 0; i < frames; i++) {
    const centre = Math.round((i / fps) * rate);
    let sum = 0;
    let n = 0;
    for (let s = Math.max(0, centre - half); s < Math.min(samples.length, centre + half); s++) {
      sum += samples[s]! ** 2;
      n++;
    }
    out.push(n === 0 ? 0 : Math.sqrt(sum / n));
  }
  return out;
}

/**
 * The lag (frames) at which `b` best matches `a`, searched over ±maxLag, using only frames
 * from `from` on; positive: `b` comes later than `a`. Pearson correlation per lag.
 */
export function bestLag(a: readonly number[], b: readonly number[], maxLag: number, from = 0): { lag: number; correlation: number } {
  let best = { lag: 0, correlation: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = from; i < a.length; i++) {
      const j = i + lag;
      if (j < from || j >= b.length) continue;
      xs.push(a[i]!);
      ys.push(b[j]!);
    }
    const c = pearson(xs, ys);
    if (c > best.correlation) best = { lag, correlation: c };
  }
  return best;
}

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Mean SSIM (8×8 windows, luma) over the windows lying wholly outside `exclude`. */
export function ssimOutside(a: Uint8Array, b: Uint8Array, width: number, height: number, exclude: Box): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let windows = 0;
  for (let y0 = 0; y0 + 8 <= height; y0 += 8) {
    for (let x0 = 0; x0 + 8 <= width; x0 += 8) {
      const overlaps = x0 + 8 > exclude.x && x0 < exclude.x + exclude.width && y0 + 8 > exclude.y && y0 < exclude.y + exclude.height;
      if (overlaps) continue;
      let ma = 0;
      let mb = 0;
      for (let y = y0; y < y0 + 8; y++) for (let x = x0; x < x0 + 8; x++) {
        ma += a[y * width + x]!;
        mb += b[y * width + x]!;
      }
      ma /= 64;
      mb /= 64;
      let va = 0;
      let vb = 0;
      let cov = 0;
      for (let y = y0; y < y0 + 8; y++) for (let x = x0; x < x0 + 8; x++) {
        const da = a[y * width + x]! - ma;
        const db = b[y * width + x]! - mb;
        va += da * da;
        vb += db * db;
        cov += da * db;
      }
      va /= 63;
      vb /= 63;
      cov /= 63;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      windows++;
    }
  }
  return total / windows;
}

/** Mean absolute difference of two frames inside a box. */
export function meanDifference(a: Uint8Array, b: Uint8Array, width: number, box: Box): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.round(box.y); y < Math.round(box.y + box.height); y++) {
    for (let x = Math.round(box.x); x < Math.round(box.x + box.width); x++) {
      sum += Math.abs(a[y * width + x]! - b[y * width + x]!);
      n++;
    }
  }
  return sum / n;
}
