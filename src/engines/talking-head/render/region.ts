import type { FaceBox, Point2 } from '../types.ts';
import { FACE_PARTS } from '../face/face-parts.ts';

/**
 * How far the animated patch reaches beyond the face oval's bounding box, as shares of that
 * box: wide at the bottom (the jaw drops and the neck stretches), some above (the head sways),
 * on the sides for turns. Everything outside the patch is the still portrait, untouched.
 */
const GROW = { left: 0.3, right: 0.3, top: 0.22, bottom: 0.45 } as const;

/**
 * The part of the image the renderer animates: the face oval's bounding box grown by GROW,
 * clamped to the image, with even corners and size (so yuv420p chroma lines up with the
 * still portrait it is overlaid on).
 */
export function patchRegion(points: readonly Point2[], imageWidth: number, imageHeight: number): FaceBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const index of FACE_PARTS.faceOval) {
    const point = points[index];
    if (point === undefined) continue;
    minX = Math.min(minX, point[0]);
    maxX = Math.max(maxX, point[0]);
    minY = Math.min(minY, point[1]);
    maxY = Math.max(maxY, point[1]);
  }
  const width = maxX - minX;
  const height = maxY - minY;
  const evenDown = (value: number) => Math.floor(value / 2) * 2;
  const evenUp = (value: number) => Math.ceil(value / 2) * 2;
  const x0 = Math.max(0, evenDown(minX - width * GROW.left));
  const y0 = Math.max(0, evenDown(minY - height * GROW.top));
  const x1 = Math.min(evenDown(imageWidth), evenUp(maxX + width * GROW.right));
  const y1 = Math.min(evenDown(imageHeight), evenUp(maxY + height * GROW.bottom));
  return { x: x0, y: y0, width: Math.max(2, x1 - x0), height: Math.max(2, y1 - y0) };
}
