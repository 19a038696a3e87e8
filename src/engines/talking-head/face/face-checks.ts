/**
 * Whether a detected face can be animated, and which one: pure decisions on landmarks, so
 * they are tested on real detections with a changed pose. Each refusal is FACE_NOT_USABLE
 * with details.reason (face.none, face.too-small, face.profile); thresholds are in
 * docs/face-analysis.md.
 */
import { ShenbiError } from '../../../core/errors.ts';
import type { FaceAnalysis, FaceLandmarks, Point2 } from '../types.ts';
import { FACE_PARTS } from './face-parts.ts';

/** The smallest face box side, in the original image's pixels, that the mouth warp has enough pixels for. */
export const MIN_FACE_PIXELS = 64;
/** Beyond this head turn the far half of the face is foreshortened or hidden: a mesh warp of it shows. */
export const MAX_YAW_DEGREES = 35;
/**
 * The narrower eye's width over the wider one's below which one eye is treated as hidden. A
 * frontal face is ≈ 1; a turn of ≈ 35° gives ≈ 0.45 (eye corners ≈ 30° either side of the
 * nose on a head: cos 65° / cos 5°), so this catches profiles whose yaw the mesh underestimates.
 */
export const MIN_EYE_WIDTH_RATIO = 0.4;

const RIGHT_EYE_OUTER = FACE_PARTS.rightEyeUpper[0];
const RIGHT_EYE_INNER = FACE_PARTS.rightEyeUpper[8];
const LEFT_EYE_OUTER = FACE_PARTS.leftEyeUpper[0];
const LEFT_EYE_INNER = FACE_PARTS.leftEyeUpper[8];

/** The face to animate among `faces` (the largest box), or FACE_NOT_USABLE. */
export function chooseFace(faces: readonly FaceLandmarks[], imageWidth: number, imageHeight: number): FaceAnalysis {
  const largest = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
  if (largest === undefined) {
    throw new ShenbiError('FACE_NOT_USABLE', 'No face was found in the portrait.', {
      details: { reason: 'face.none' },
      hint: 'Use a photo with one clearly visible face, looking roughly at the camera.',
    });
  }
  const side = Math.min(largest.box.width, largest.box.height);
  if (side < MIN_FACE_PIXELS) {
    throw new ShenbiError('FACE_NOT_USABLE', `The face is ${Math.round(side)} px across, under the ${MIN_FACE_PIXELS} px needed to animate it.`, {
      details: { reason: 'face.too-small', faceSize: Math.round(side), minFaceSize: MIN_FACE_PIXELS },
      hint: 'Use a larger photo, or crop it closer around the face.',
    });
  }
  const view = profileView(largest);
  if (view.profile) {
    throw new ShenbiError('FACE_NOT_USABLE', `The face is turned too far from the camera (yaw ${Math.round(view.yawDegrees)}°, eye width ratio ${view.eyeWidthRatio.toFixed(2)}).`, {
      details: { reason: 'face.profile', yawDegrees: round1(view.yawDegrees), eyeWidthRatio: round2(view.eyeWidthRatio), maxYawDegrees: MAX_YAW_DEGREES },
      hint: `Use a photo where the face looks roughly at the camera (within ${MAX_YAW_DEGREES}°).`,
    });
  }
  const warnings = faces.length > 1 ? [`${faces.length} faces: the largest is animated`] : [];
  return { imageWidth, imageHeight, face: largest, faceCount: faces.length, warnings };
}

export interface ProfileView {
  readonly profile: boolean;
  /** |yaw| in degrees, as the mesh estimates it. */
  readonly yawDegrees: number;
  /** The narrower eye's width over the wider one's (1 when both look the same size). */
  readonly eyeWidthRatio: number;
}

/** A face turned beyond MAX_YAW_DEGREES, or with one eye foreshortened out of sight, is a profile. */
export function profileView(face: FaceLandmarks): ProfileView {
  const yawDegrees = Math.abs((face.pose.yaw * 180) / Math.PI);
  const right = distance(face.points[RIGHT_EYE_OUTER], face.points[RIGHT_EYE_INNER]);
  const left = distance(face.points[LEFT_EYE_OUTER], face.points[LEFT_EYE_INNER]);
  const wider = Math.max(right, left);
  const eyeWidthRatio = wider > 0 ? Math.min(right, left) / wider : 0;
  return { profile: yawDegrees > MAX_YAW_DEGREES || eyeWidthRatio < MIN_EYE_WIDTH_RATIO, yawDegrees, eyeWidthRatio };
}

function distance(a: Point2 | undefined, b: Point2 | undefined): number {
  if (a === undefined || b === undefined) return 0;
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const round2 = (value: number): number => Math.round(value * 100) / 100;
