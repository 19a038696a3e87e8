/**
 * The worker-side task: faces and their 468 landmarks in an RGB picture, in that picture's
 * pixels. analyze-portrait.ts runs it on the worker pool (one Human per thread, see
 * human-loader.ts); the result is plain data, so it crosses threads as is.
 */
import { ShenbiError } from '../../../core/errors.ts';
import type { FaceBox, HeadPose, Point2 } from '../types.ts';
import { FACE_MESH_POINT_COUNT } from './face-parts.ts';
import { humanTf, threadHuman } from './human-loader.ts';

export interface DetectedFace {
  readonly box: FaceBox;
  readonly score: number;
  /** The 468 canonical mesh points (human's iris points, 468–477, are left out). */
  readonly points: readonly Point2[];
  readonly pose: HeadPose;
}

/**
 * human truncates mesh coordinates to whole pixels of the picture it sees (meshRaw is that
 * integer divided by the size), so a point at v lies in [trunc, trunc + 1): its centre,
 * +0.5, is the unbiased estimate. analyze-portrait.ts detects on a copy whose long side is
 * 1024 px, which makes this a fraction of a pixel of a smaller original.
 */
const TRUNCATION_CENTRE = 0.5;

/** Detects faces in `pixels` (RGB, 3 bytes a pixel, row by row, `width` × `height`). */
export async function detectFaces(pixels: Uint8Array, width: number, height: number): Promise<DetectedFace[]> {
  if (pixels.length !== width * height * 3) throw new RangeError(`detectFaces: ${pixels.length} bytes is not ${width}×${height} RGB`);
  const human = await threadHuman();
  const tf = humanTf(human);
  const image = tf.tensor3d(pixels, [height, width, 3], 'int32');
  const batch = tf.expandDims(image, 0);
  try {
    const result = await human.detect(batch);
    if (result.error !== null && result.error !== undefined) throw new ShenbiError('ENGINE_FAILED', `Face detection failed: ${result.error}`);
    return result.face
      .filter((face) => face.meshRaw.length >= FACE_MESH_POINT_COUNT)
      .map((face) => {
        const [x = 0, y = 0, boxWidth = 0, boxHeight = 0] = face.box;
        const angle = face.rotation?.angle ?? { yaw: 0, pitch: 0, roll: 0 };
        return {
          box: { x, y, width: boxWidth, height: boxHeight },
          score: face.score,
          points: face.meshRaw
            .slice(0, FACE_MESH_POINT_COUNT)
            .map(([u = 0, v = 0]) => [u * width + TRUNCATION_CENTRE, v * height + TRUNCATION_CENTRE] as const),
          pose: { yaw: angle.yaw, pitch: angle.pitch, roll: angle.roll },
        };
      });
  } finally {
    tf.dispose([image, batch]);
  }
}
