import type { MouthShape } from '../types.ts';
import { FACE_PARTS } from '../face/face-parts.ts';
import type { FaceAxes } from './face-axes.ts';

/**
 * The mid-lip contours of the MediaPipe mesh (its "semi" lip annotations): the lips' own
 * texture lies between them and the outer and inner contours, so they move with their lip.
 */
const LIPS_UPPER_MIDDLE = [76, 184, 74, 73, 72, 11, 302, 303, 304, 408, 306, 62, 183, 42, 41, 38, 12, 268, 271, 272, 407, 292];
const LIPS_LOWER_MIDDLE = [76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306, 62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292];
/** Outer and inner lip corners, and the mid-contour corners. */
const CORNERS = new Set([61, 291, 78, 308, 76, 306, 62, 292]);
const LOWER_LIP_BOTTOM = 17;
/** How far each corner follows the jaw when the mouth opens. */
const CORNER_DROP = 0.3;

/** Amplitudes, as shares of the mouth's width (so every resolution opens alike). */
const JAW_DROP = 0.3;
const LOWER_LIP_ROUND = 0.06;
const UPPER_LIP_OPEN = 0.06;
const UPPER_LIP_ROUND = 0.05;
const SPREAD_WIDE = 0.09;
const SPREAD_NARROW = 0.07;
const ROUND_PULL = 0.14;
const OPEN_PULL = 0.04;

/**
 * Per-point weights of the mouth's movements, measured once from the rest face: how far each
 * point follows the jaw (down the face), the upper lip (up) and the corners (along the eye
 * line). A frame's displacement is a weighted sum of three amounts (mouthAmounts).
 */
export interface MouthRig {
  readonly jaw: Float32Array;
  readonly lowerLip: Float32Array;
  readonly upperLip: Float32Array;
  readonly spread: Float32Array;
}

export interface MouthAmounts {
  /** Jaw drop, pixels down the face. */
  readonly jaw: number;
  /** Extra lower-lip drop (rounding), pixels. */
  readonly lowerLip: number;
  /** Upper-lip lift, pixels up the face. */
  readonly upperLip: number;
  /** Each corner's move outwards (negative: inwards), pixels. */
  readonly spread: number;
}

const smoothstep = (edge0: number, edge1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
};

export function mouthRig(rest: Float64Array, pointCount: number, axes: FaceAxes, originX: number, originY: number): MouthRig {
  const lower = new Set<number>([...FACE_PARTS.lipsLowerOuter, ...FACE_PARTS.lipsLowerInner, ...LIPS_LOWER_MIDDLE]);
  const upper = new Set<number>([...FACE_PARTS.lipsUpperOuter, ...FACE_PARTS.lipsUpperInner, ...LIPS_UPPER_MIDDLE]);
  const jaw = new Float32Array(pointCount);
  const lowerLip = new Float32Array(pointCount);
  const upperLip = new Float32Array(pointCount);
  const spread = new Float32Array(pointCount);
  const half = axes.mouthWidth / 2;
  const local = (i: number) => {
    const rx = rest[2 * i]! + originX - axes.mouthX;
    const ry = rest[2 * i + 1]! + originY - axes.mouthY;
    return { a: rx * axes.ux + ry * axes.uy, b: rx * axes.dx + ry * axes.dy };
  };
  const lipBottom = Math.max(1, local(LOWER_LIP_BOTTOM).b);
  const cornerA = [local(FACE_PARTS.mouthCorners[0]), local(FACE_PARTS.mouthCorners[1])];
  for (let i = 0; i < pointCount; i++) {
    const { a, b } = local(i);
    // The lips open most in the middle and little at the corners.
    const profile = 0.3 + 0.7 * Math.max(0, 1 - (a / half) ** 2);
    if (CORNERS.has(i)) {
      jaw[i] = CORNER_DROP;
      spread[i] = Math.sign(a);
    } else if (lower.has(i)) {
      jaw[i] = profile;
      lowerLip[i] = profile;
      spread[i] = Math.max(-1, Math.min(1, a / half));
    } else if (upper.has(i)) {
      upperLip[i] = profile;
      spread[i] = Math.max(-1, Math.min(1, a / half));
    } else {
      // The jaw carries the chin and the skin below the lower lip, fading towards the ears.
      const across = Math.max(0, 1 - (Math.abs(a) / (0.95 * axes.halfFaceWidth)) ** 2);
      jaw[i] = smoothstep(0, lipBottom, b) * across;
      const corner = a < 0 ? cornerA[0]! : cornerA[1]!;
      const distance = Math.hypot(a - corner.a, b - corner.b);
      // The cheeks beside the mouth follow its corners; the nose and above do not.
      const belowNose = smoothstep(-0.5 * axes.mouthWidth, -0.2 * axes.mouthWidth, b);
      spread[i] = Math.sign(a) * Math.exp(-((distance / (0.45 * axes.mouthWidth)) ** 2)) * belowNose;
    }
  }
  return { jaw, lowerLip, upperLip, spread };
}

/** How far a mouth shape moves the rig's parts, pixels, for a mouth `mouthWidth` wide. */
export function mouthAmounts(shape: MouthShape, mouthWidth: number): MouthAmounts {
  const open = Math.min(1, Math.max(0, shape.open));
  const round = Math.min(1, Math.max(0, shape.round));
  const width = Math.min(1, Math.max(-1, shape.width));
  return {
    jaw: mouthWidth * JAW_DROP * open,
    lowerLip: mouthWidth * LOWER_LIP_ROUND * round,
    upperLip: mouthWidth * (UPPER_LIP_OPEN * open + UPPER_LIP_ROUND * round),
    spread: mouthWidth * ((width > 0 ? SPREAD_WIDE : SPREAD_NARROW) * width - ROUND_PULL * round - OPEN_PULL * open),
  };
}

/** Adds the mouth's displacement to `moved` (x, y per point) for the first rig.jaw.length points. */
export function applyMouth(moved: Float64Array, rig: MouthRig, amounts: MouthAmounts, axes: FaceAxes): void {
  for (let i = 0; i < rig.jaw.length; i++) {
    const down = rig.jaw[i]! * amounts.jaw + rig.lowerLip[i]! * amounts.lowerLip - rig.upperLip[i]! * amounts.upperLip;
    const along = rig.spread[i]! * amounts.spread;
    if (down === 0 && along === 0) continue;
    moved[2 * i] = moved[2 * i]! + down * axes.dx + along * axes.ux;
    moved[2 * i + 1] = moved[2 * i + 1]! + down * axes.dy + along * axes.uy;
  }
}

/** The vertical opening a shape adds between the lips, pixels (0 when closed). */
export function lipGap(amounts: MouthAmounts): number {
  return amounts.jaw + amounts.lowerLip + amounts.upperLip;
}
