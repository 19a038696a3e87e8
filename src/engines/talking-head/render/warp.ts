/**
 * Piecewise-affine warp: every destination triangle is rasterised, and each pixel inside it
 * is mapped back by the triangle's inverse affine map to the source and sampled bilinearly.
 * RGB, 3 bytes a pixel, pixel centres at +0.5 in vertex coordinates. No allocation per pixel.
 */
export interface WarpImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** Below this a vertex has not moved; triangles whose corners all stay put are left as they are in `target` (already the source). */
const STILL = 1e-6;
const INSIDE_TOLERANCE = 1e-7;

/**
 * Warps `source` into `target` (same size; `target` must already hold a copy of `source`,
 * so unmoved triangles and pixels no triangle covers stay exactly the source).
 */
export function warpTriangles(source: WarpImage, target: Uint8Array, rest: Float64Array, moved: Float64Array, triangles: Uint32Array): void {
  const { width, height, pixels } = source;
  for (let t = 0; t < triangles.length; t += 3) {
    const i0 = triangles[t]! * 2;
    const i1 = triangles[t + 1]! * 2;
    const i2 = triangles[t + 2]! * 2;
    const x0 = moved[i0]!;
    const y0 = moved[i0 + 1]!;
    const x1 = moved[i1]!;
    const y1 = moved[i1 + 1]!;
    const x2 = moved[i2]!;
    const y2 = moved[i2 + 1]!;
    const s0x = rest[i0]!;
    const s0y = rest[i0 + 1]!;
    if (
      Math.abs(x0 - s0x) < STILL && Math.abs(y0 - s0y) < STILL &&
      Math.abs(x1 - rest[i1]!) < STILL && Math.abs(y1 - rest[i1 + 1]!) < STILL &&
      Math.abs(x2 - rest[i2]!) < STILL && Math.abs(y2 - rest[i2 + 1]!) < STILL
    ) continue;
    const e1x = x1 - x0;
    const e1y = y1 - y0;
    const e2x = x2 - x0;
    const e2y = y2 - y0;
    const det = e1x * e2y - e1y * e2x;
    if (Math.abs(det) < 1e-9) continue;
    // Barycentric weights l1, l2 are affine in the pixel centre: l = A·px + B·py + C.
    const a1 = e2y / det;
    const b1 = -e2x / det;
    const c1 = -(x0 * e2y - y0 * e2x) / det;
    const a2 = -e1y / det;
    const b2 = e1x / det;
    const c2 = -(y0 * e1x - x0 * e1y) / det;
    // Source offsets for each weight, in source pixel-index space (centre at +0.5 → index).
    const f1x = rest[i1]! - s0x;
    const f1y = rest[i1 + 1]! - s0y;
    const f2x = rest[i2]! - s0x;
    const f2y = rest[i2 + 1]! - s0y;
    const baseX = s0x - 0.5;
    const baseY = s0y - 0.5;
    const minY = Math.max(0, Math.floor(Math.min(y0, y1, y2) - 0.5));
    const maxY = Math.min(height - 1, Math.ceil(Math.max(y0, y1, y2) - 0.5));
    const a3 = -(a1 + a2);
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      // Each weight (l1, l2 and 1 − l1 − l2) ≥ 0 bounds the row's pixel centres on one side: the span inside.
      const k1 = b1 * cy + c1;
      const k2 = b2 * cy + c2;
      const k3 = 1 - k1 - k2;
      let lo = -Infinity;
      let hi = Infinity;
      if (a1 > 0) lo = Math.max(lo, (-INSIDE_TOLERANCE - k1) / a1);
      else if (a1 < 0) hi = Math.min(hi, (-INSIDE_TOLERANCE - k1) / a1);
      else if (k1 < -INSIDE_TOLERANCE) continue;
      if (a2 > 0) lo = Math.max(lo, (-INSIDE_TOLERANCE - k2) / a2);
      else if (a2 < 0) hi = Math.min(hi, (-INSIDE_TOLERANCE - k2) / a2);
      else if (k2 < -INSIDE_TOLERANCE) continue;
      if (a3 > 0) lo = Math.max(lo, (-INSIDE_TOLERANCE - k3) / a3);
      else if (a3 < 0) hi = Math.min(hi, (-INSIDE_TOLERANCE - k3) / a3);
      else if (k3 < -INSIDE_TOLERANCE) continue;
      const fromX = Math.max(0, Math.ceil(lo - 0.5));
      const toX = Math.min(width - 1, Math.floor(hi - 0.5));
      if (fromX > toX) continue;
      let l1 = a1 * (fromX + 0.5) + k1;
      let l2 = a2 * (fromX + 0.5) + k2;
      let out = (py * width + fromX) * 3;
      for (let px = fromX; px <= toX; px++, l1 += a1, l2 += a2, out += 3) {
        let sx = baseX + l1 * f1x + l2 * f2x;
        let sy = baseY + l1 * f1y + l2 * f2y;
        sx = sx < 0 ? 0 : sx > width - 1 ? width - 1 : sx;
        sy = sy < 0 ? 0 : sy > height - 1 ? height - 1 : sy;
        let ix = sx | 0;
        let iy = sy | 0;
        if (ix > width - 2) ix = width - 2;
        if (iy > height - 2) iy = height - 2;
        const fx = sx - ix;
        const fy = sy - iy;
        const p00 = (iy * width + ix) * 3;
        const p10 = p00 + 3;
        const p01 = p00 + width * 3;
        const p11 = p01 + 3;
        const w00 = (1 - fx) * (1 - fy);
        const w10 = fx * (1 - fy);
        const w01 = (1 - fx) * fy;
        const w11 = fx * fy;
        target[out] = pixels[p00]! * w00 + pixels[p10]! * w10 + pixels[p01]! * w01 + pixels[p11]! * w11 + 0.5;
        target[out + 1] = pixels[p00 + 1]! * w00 + pixels[p10 + 1]! * w10 + pixels[p01 + 1]! * w01 + pixels[p11 + 1]! * w11 + 0.5;
        target[out + 2] = pixels[p00 + 2]! * w00 + pixels[p10 + 2]! * w10 + pixels[p01 + 2]! * w01 + pixels[p11 + 2]! * w11 + 0.5;
      }
    }
  }
}
