import type { FaceAxes } from './face-axes.ts';

/** The cavity: dark red-brown at the lips, near-black deep inside; teeth a warm off-white. */
const CAVITY_EDGE = [92, 38, 40] as const;
const CAVITY_DEEP = [24, 8, 10] as const;
const TEETH = [226, 220, 208] as const;
/** Depth (distance from the lips, in mouth widths) at which the cavity is darkest. */
const DEPTH_SCALE = 0.1;
/** Height of the teeth band under the upper lip, in mouth widths, at full showing. */
const TEETH_HEIGHT = 0.085;

export interface InnerMouth {
  /** The inner-lip contour, x, y per point, closed: upper lip from corner to corner, then the lower lip back. */
  readonly contour: Float64Array;
  /** How many of the contour's first points are the upper lip (they carry the teeth). */
  readonly upperCount: number;
  /** 0..1: how opaque the cavity is (0 when the lips touch, so a closed mouth is the source). */
  readonly opacity: number;
  /** 0..1: how much of the upper teeth shows. */
  readonly teeth: number;
}

/**
 * Paints the inside of the open mouth into `image` (RGB): every pixel inside the inner-lip
 * contour is blended towards a cavity colour that darkens with the distance from the lips,
 * with a light band of teeth under the upper lip. Edges are anti-aliased by the pixel's
 * signed distance to the contour.
 */
export function fillInnerMouth(image: Uint8Array, width: number, height: number, mouth: InnerMouth, axes: FaceAxes): void {
  if (mouth.opacity <= 0) return;
  const { contour, upperCount } = mouth;
  const n = contour.length / 2;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < n; k++) {
    minX = Math.min(minX, contour[2 * k]!);
    maxX = Math.max(maxX, contour[2 * k]!);
    minY = Math.min(minY, contour[2 * k + 1]!);
    maxY = Math.max(maxY, contour[2 * k + 1]!);
  }
  const x0 = Math.max(0, Math.floor(minX - 1));
  const x1 = Math.min(width - 1, Math.ceil(maxX + 1));
  const y0 = Math.max(0, Math.floor(minY - 1));
  const y1 = Math.min(height - 1, Math.ceil(maxY + 1));
  const mouthWidth = axes.mouthWidth;
  const depthScale = DEPTH_SCALE * mouthWidth;
  const teethHeight = TEETH_HEIGHT * mouthWidth * mouth.teeth;
  let centreX = 0;
  for (let k = 0; k < n; k++) centreX += contour[2 * k]!;
  centreX /= n;
  for (let py = y0; py <= y1; py++) {
    const cy = py + 0.5;
    for (let px = x0; px <= x1; px++) {
      const cx = px + 0.5;
      let inside = false;
      let nearest = Infinity;
      let nearestUpper = Infinity;
      for (let k = 0, j = n - 1; k < n; j = k++) {
        const ax = contour[2 * j]!;
        const ay = contour[2 * j + 1]!;
        const bx = contour[2 * k]!;
        const by = contour[2 * k + 1]!;
        if (ay > cy !== by > cy && cx < ((bx - ax) * (cy - ay)) / (by - ay) + ax) inside = !inside;
        const ex = bx - ax;
        const ey = by - ay;
        const length2 = ex * ex + ey * ey;
        const t = length2 > 0 ? Math.min(1, Math.max(0, ((cx - ax) * ex + (cy - ay) * ey) / length2)) : 0;
        const distance = Math.hypot(cx - ax - t * ex, cy - ay - t * ey);
        if (distance < nearest) nearest = distance;
        // Segments k-1 → k with both ends on the upper lip.
        if (k >= 1 && k < upperCount && distance < nearestUpper) nearestUpper = distance;
      }
      const coverage = Math.min(1, Math.max(0, (inside ? nearest : -nearest) + 0.5));
      if (coverage <= 0) continue;
      const depth = Math.min(1, nearest / depthScale);
      let r = CAVITY_EDGE[0] + (CAVITY_DEEP[0] - CAVITY_EDGE[0]) * depth;
      let g = CAVITY_EDGE[1] + (CAVITY_DEEP[1] - CAVITY_EDGE[1]) * depth;
      let b = CAVITY_EDGE[2] + (CAVITY_DEEP[2] - CAVITY_EDGE[2]) * depth;
      if (teethHeight > 0) {
        // Teeth fade out towards the mouth's corners, where the cheeks hide them.
        const across = Math.abs((cx - centreX) * axes.ux + (cy - (minY + maxY) / 2) * axes.uy) / (0.5 * mouthWidth);
        const band = Math.min(1, Math.max(0, (teethHeight - nearestUpper) / 1.5)) * Math.max(0, 1 - across ** 3);
        const shade = 1 - 0.25 * Math.min(1, across);
        r += (TEETH[0] * shade - r) * band;
        g += (TEETH[1] * shade - g) * band;
        b += (TEETH[2] * shade - b) * band;
      }
      const alpha = coverage * mouth.opacity;
      const o = (py * width + px) * 3;
      image[o] = image[o]! + (r - image[o]!) * alpha + 0.5;
      image[o + 1] = image[o + 1]! + (g - image[o + 1]!) * alpha + 0.5;
      image[o + 2] = image[o + 2]! + (b - image[o + 2]!) * alpha + 0.5;
    }
  }
}
