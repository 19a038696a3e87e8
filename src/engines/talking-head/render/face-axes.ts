import type { Point2 } from '../types.ts';
import { FACE_PARTS } from '../face/face-parts.ts';

/**
 * The face's own frame of reference, measured once from the landmarks: the horizontal axis
 * runs along the eye line (so a tilted head still opens its mouth "down" its own face), the
 * vertical axis is perpendicular to it, pointing to the chin. Deformations are expressed in
 * these axes and scaled by the mouth's width, so they look the same at any resolution.
 */
export interface FaceAxes {
  /** Unit vector along the eye line, towards the image's right in a frontal portrait. */
  readonly ux: number;
  readonly uy: number;
  /** Unit vector down the face (perpendicular to u). */
  readonly dx: number;
  readonly dy: number;
  /** Between the inner lips (13 and 14). */
  readonly mouthX: number;
  readonly mouthY: number;
  /** Corner to corner (61 to 291), pixels. */
  readonly mouthWidth: number;
  /** Half the face's width along u (the face oval's extent), pixels. */
  readonly halfFaceWidth: number;
  /** Forehead (10) to chin (152) along d, pixels. */
  readonly faceHeight: number;
}

const RIGHT_EYE_OUTER = 33;
const LEFT_EYE_OUTER = 263;
const INNER_UPPER_LIP = 13;
const INNER_LOWER_LIP = 14;
const FOREHEAD = 10;
const CHIN = 152;

function at(points: readonly Point2[], index: number): Point2 {
  const point = points[index];
  if (point === undefined) throw new RangeError(`face landmark ${index} is missing`);
  return point;
}

export function faceAxes(points: readonly Point2[]): FaceAxes {
  const [ax, ay] = at(points, RIGHT_EYE_OUTER);
  const [bx, by] = at(points, LEFT_EYE_OUTER);
  const eyeLength = Math.hypot(bx - ax, by - ay) || 1;
  const ux = (bx - ax) / eyeLength;
  const uy = (by - ay) / eyeLength;
  const dx = -uy;
  const dy = ux;
  const [tx, ty] = at(points, INNER_UPPER_LIP);
  const [lx, ly] = at(points, INNER_LOWER_LIP);
  const mouthX = (tx + lx) / 2;
  const mouthY = (ty + ly) / 2;
  const [c1x, c1y] = at(points, FACE_PARTS.mouthCorners[0]);
  const [c2x, c2y] = at(points, FACE_PARTS.mouthCorners[1]);
  const mouthWidth = Math.max(1, Math.hypot(c2x - c1x, c2y - c1y));
  let minA = Infinity;
  let maxA = -Infinity;
  for (const index of FACE_PARTS.faceOval) {
    const [px, py] = at(points, index);
    const a = (px - mouthX) * ux + (py - mouthY) * uy;
    minA = Math.min(minA, a);
    maxA = Math.max(maxA, a);
  }
  const [fx, fy] = at(points, FOREHEAD);
  const [cx, cy] = at(points, CHIN);
  const faceHeight = Math.max(1, (cx - fx) * dx + (cy - fy) * dy);
  return { ux, uy, dx, dy, mouthX, mouthY, mouthWidth, halfFaceWidth: Math.max(1, (maxA - minA) / 2), faceHeight };
}

/** Coordinates of (x, y) in the face's axes, relative to the mouth: a along the eye line, b down the face. */
export function toFace(axes: FaceAxes, x: number, y: number): { a: number; b: number } {
  const rx = x - axes.mouthX;
  const ry = y - axes.mouthY;
  return { a: rx * axes.ux + ry * axes.uy, b: rx * axes.dx + ry * axes.dy };
}
