/**
 * Named index lists into the 468-point MediaPipe face mesh (canonical topology, the same
 * indices in every face: MediaPipe's face_mesh annotations, as @vladmandic/human uses them).
 * "left" and "right" are the SUBJECT's: the left eye is on the image's right in a frontal
 * portrait. Contours run corner to corner and both halves of a contour share its corners, so
 * a renderer can pair upper[i] with lower[i] (eyes: outer corner → inner corner; lips: the
 * subject's right corner 61 → left corner 291).
 */
export const FACE_PARTS = {
  lipsUpperOuter: [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291],
  lipsLowerOuter: [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291],
  lipsUpperInner: [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308],
  lipsLowerInner: [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308],
  /** The outer corners of the lips: the subject's right (61) and left (291). */
  mouthCorners: [61, 291],
  leftEyeUpper: [263, 466, 388, 387, 386, 385, 384, 398, 362],
  leftEyeLower: [263, 249, 390, 373, 374, 380, 381, 382, 362],
  rightEyeUpper: [33, 246, 161, 160, 159, 158, 157, 173, 133],
  rightEyeLower: [33, 7, 163, 144, 145, 153, 154, 155, 133],
  /** The face outline ("silhouette"), clockwise in the image from the top of the forehead (10). */
  faceOval: [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93,
    234, 127, 162, 21, 54, 103, 67, 109,
  ],
  /** The bottom of the jaw line; its middle, 152, is the chin's lowest point. */
  chin: [176, 148, 152, 377, 400],
  noseTip: [1],
} as const satisfies Readonly<Record<string, readonly number[]>>;

export type FacePart = keyof typeof FACE_PARTS;

/** How many points the canonical face mesh has (the iris model's 10 extra points are not returned). */
export const FACE_MESH_POINT_COUNT = 468;
