import type { FaceBox, Point2 } from '../types.ts';
import { FACE_PARTS } from '../face/face-parts.ts';

/** Points of the canonical face mesh; the rings come after them. */
export const FACE_POINTS = 468;
/** Where the middle ring sits between the face oval (0) and the patch border (1). */
const MIDDLE_RING_AT = 0.5;
/**
 * How much of its face-oval point's motion a middle-ring point follows: the falloff that
 * lets hair, ears and neck move a little with the head and the jaw instead of tearing.
 */
export const MIDDLE_RING_FOLLOW = 0.4;

/**
 * The warp mesh over the patch, in patch pixels (x right, y down, pixel centres at +0.5):
 * the 468 face points and the canonical triangles, then a middle ring and a border ring, one
 * point per face-oval point, stitched to the oval and to each other by strips of triangles.
 * The border ring lies on the patch's edge and never moves, so the patch meets the still
 * portrait around it without a seam. The mouth's opening (a hole in the canonical mesh) is
 * split along the middle between the inner lips: its upper half follows the upper lip and its
 * lower half the lower lip, so teeth the portrait shows part with the lips, and the gap that
 * opens between the halves is where the cavity is painted.
 */
export interface WarpMesh {
  /** x, y per vertex (rest positions). */
  readonly rest: Float64Array;
  readonly vertexCount: number;
  /** Three vertex indices per triangle. */
  readonly triangles: Uint32Array;
  /** Vertices that are not face points move as a share of a face point's motion: the rings and the mouth's split line. */
  readonly followers: { readonly vertex: Uint32Array; readonly parent: Uint32Array; readonly share: Float32Array };
  /** The opening between the mouth's halves, as a closed contour of vertices: its first MOUTH_GAP_UPPER points are the upper half's edge. */
  readonly mouthGap: Uint32Array;
}

/** How many of `mouthGap`'s points belong to the upper half (corner to corner). */
export const MOUTH_GAP_UPPER = FACE_PARTS.lipsUpperInner.length;

export function buildWarpMesh(points: readonly Point2[], faceTriangles: ArrayLike<number>, region: FaceBox): WarpMesh {
  if (points.length < FACE_POINTS) throw new RangeError(`the face mesh needs ${FACE_POINTS} points, got ${points.length}`);
  const oval = FACE_PARTS.faceOval;
  const ringSize = oval.length;
  const upperInner = FACE_PARTS.lipsUpperInner;
  const lowerInner = FACE_PARTS.lipsLowerInner;
  const split = upperInner.length - 2;
  const upperHalfStart = FACE_POINTS;
  const lowerHalfStart = FACE_POINTS + split;
  const middleRingStart = FACE_POINTS + 2 * split;
  const borderStart = middleRingStart + ringSize;
  const vertexCount = borderStart + ringSize;
  const rest = new Float64Array(vertexCount * 2);
  for (let i = 0; i < FACE_POINTS; i++) {
    const [x, y] = points[i]!;
    rest[2 * i] = x - region.x;
    rest[2 * i + 1] = y - region.y;
  }
  let cx = 0;
  let cy = 0;
  for (const index of oval) {
    cx += rest[2 * index]!;
    cy += rest[2 * index + 1]!;
  }
  cx /= ringSize;
  cy /= ringSize;
  for (let k = 0; k < split; k++) {
    const u = upperInner[k + 1]!;
    const l = lowerInner[k + 1]!;
    for (const v of [upperHalfStart + k, lowerHalfStart + k]) {
      rest[2 * v] = (rest[2 * u]! + rest[2 * l]!) / 2;
      rest[2 * v + 1] = (rest[2 * u + 1]! + rest[2 * l + 1]!) / 2;
    }
  }
  for (let k = 0; k < ringSize; k++) {
    const index = oval[k]!;
    const ox = rest[2 * index]!;
    const oy = rest[2 * index + 1]!;
    const [bx, by] = rayToBorder(cx, cy, ox, oy, region.width, region.height);
    rest[2 * (borderStart + k)] = bx;
    rest[2 * (borderStart + k) + 1] = by;
    rest[2 * (middleRingStart + k)] = ox + (bx - ox) * MIDDLE_RING_AT;
    rest[2 * (middleRingStart + k) + 1] = oy + (by - oy) * MIDDLE_RING_AT;
  }
  const faceTriangleCount = Math.floor(faceTriangles.length / 3);
  const triangles = new Uint32Array((faceTriangleCount + 4 * ringSize + 4 * (split + 1)) * 3);
  for (let i = 0; i < faceTriangleCount * 3; i++) {
    const index = faceTriangles[i]!;
    if (!(index >= 0 && index < FACE_POINTS)) throw new RangeError(`face triangle vertex ${index} is out of range`);
    triangles[i] = index;
  }
  let t = faceTriangleCount * 3;
  const strip = (size: number, closed: boolean, inner: (k: number) => number, outer: (k: number) => number) => {
    for (let k = 0; k < (closed ? size : size - 1); k++) {
      const next = (k + 1) % size;
      for (const triangle of [[inner(k), inner(next), outer(k)], [inner(next), outer(next), outer(k)]]) {
        if (new Set(triangle).size === 3) triangles.set(triangle, t);
        t += 3; // a triangle with a repeated corner stays all-zero: empty, never drawn
      }
    }
  };
  const half = (lip: readonly number[], start: number) => (k: number) => (k === 0 || k === lip.length - 1 ? lip[k]! : start + k - 1);
  strip(upperInner.length, false, (k) => upperInner[k]!, half(upperInner, upperHalfStart));
  strip(lowerInner.length, false, (k) => lowerInner[k]!, half(lowerInner, lowerHalfStart));
  strip(ringSize, true, (k) => oval[k]!, (k) => middleRingStart + k);
  strip(ringSize, true, (k) => middleRingStart + k, (k) => borderStart + k);
  const vertex: number[] = [];
  const parent: number[] = [];
  const share: number[] = [];
  for (let k = 0; k < split; k++) {
    vertex.push(upperHalfStart + k, lowerHalfStart + k);
    parent.push(upperInner[k + 1]!, lowerInner[k + 1]!);
    share.push(1, 1);
  }
  oval.forEach((index, k) => {
    vertex.push(middleRingStart + k);
    parent.push(index);
    share.push(MIDDLE_RING_FOLLOW);
  });
  const upperEdge = upperInner.map((_, k) => half(upperInner, upperHalfStart)(k));
  const lowerEdge = lowerInner.map((_, k) => half(lowerInner, lowerHalfStart)(k)).slice(1, -1).reverse();
  return {
    rest,
    vertexCount,
    triangles,
    followers: { vertex: Uint32Array.from(vertex), parent: Uint32Array.from(parent), share: Float32Array.from(share) },
    mouthGap: Uint32Array.from([...upperEdge, ...lowerEdge]),
  };
}

/** Where the ray from (cx, cy) through (px, py) leaves the rectangle [0, width] × [0, height]. */
function rayToBorder(cx: number, cy: number, px: number, py: number, width: number, height: number): [number, number] {
  const dx = px - cx;
  const dy = py - cy;
  let t = Infinity;
  if (dx > 0) t = Math.min(t, (width - cx) / dx);
  if (dx < 0) t = Math.min(t, -cx / dx);
  if (dy > 0) t = Math.min(t, (height - cy) / dy);
  if (dy < 0) t = Math.min(t, -cy / dy);
  if (!Number.isFinite(t)) return [px, py];
  // Never inside the face: a face touching the image's edge keeps its oval there.
  t = Math.max(1, t);
  return [Math.min(width, Math.max(0, cx + dx * t)), Math.min(height, Math.max(0, cy + dy * t))];
}
