import { FACE_PARTS } from '../face/face-parts.ts';

/**
 * The upper-lid creases above each eye (MediaPipe's eyeUpper1 and eyeUpper2 annotations),
 * lid-corner to lid-corner without the corners: they follow the lid part of the way, so the
 * lid's skin stretches down over the eye instead of folding.
 */
const CREASES = [
  { eye: 'right', rings: [[247, 30, 29, 27, 28, 56, 190], [113, 225, 224, 223, 222, 221, 189]] },
  { eye: 'left', rings: [[467, 260, 259, 257, 258, 286, 414], [342, 445, 444, 443, 442, 441, 413]] },
] as const;
const CREASE_FOLLOW = [0.45, 0.15] as const;
/** Where the lids meet, from the upper lid (0) to the lower lid (1): the lower lid rises a little too. */
const LIDS_MEET = 0.85;

/** Displacement (x, y per mesh point) that closes both eyes fully; a blink scales it by 0..1. */
export function blinkRig(rest: Float64Array, pointCount: number): Float32Array {
  const field = new Float32Array(pointCount * 2);
  const eyes = [
    { upper: FACE_PARTS.rightEyeUpper, lower: FACE_PARTS.rightEyeLower, creases: CREASES[0].rings },
    { upper: FACE_PARTS.leftEyeUpper, lower: FACE_PARTS.leftEyeLower, creases: CREASES[1].rings },
  ];
  for (const { upper, lower, creases } of eyes) {
    // Corners (first and last) stay; the lids pair up point by point in between.
    for (let k = 1; k < upper.length - 1; k++) {
      const u = upper[k]!;
      const l = lower[k]!;
      const gapX = rest[2 * l]! - rest[2 * u]!;
      const gapY = rest[2 * l + 1]! - rest[2 * u + 1]!;
      field[2 * u] = gapX * LIDS_MEET;
      field[2 * u + 1] = gapY * LIDS_MEET;
      field[2 * l] = -gapX * (1 - LIDS_MEET);
      field[2 * l + 1] = -gapY * (1 - LIDS_MEET);
      creases.forEach((ring, r) => {
        const c = ring[k - 1]!;
        field[2 * c] = gapX * LIDS_MEET * CREASE_FOLLOW[r]!;
        field[2 * c + 1] = gapY * LIDS_MEET * CREASE_FOLLOW[r]!;
      });
    }
  }
  return field;
}
