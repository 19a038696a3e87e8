/**
 * A portrait's face and its 468 landmarks, in the original image's pixels. Runs on the main
 * thread only as far as sharp (libuv's pool): the header is probed first (a decompression
 * bomb is refused before any pixel is decoded), a copy scaled to DETECTION_LONG_SIDE is
 * decoded (EXIF orientation applied), and detection runs on the worker pool.
 */
import { z } from 'zod';
import { ShenbiError } from '../../../core/errors.ts';
import { decodeImage, probeImage, renderImage } from '../../image-ops/probe.ts';
import { movable, offThreadTask, runOffThread } from '../../../workers/off-thread.ts';
import type { FaceAnalysis, FaceLandmarks } from '../types.ts';
import * as detection from './detect-faces.ts';
import { chooseFace } from './face-checks.ts';

/**
 * The detection copy's long side, px. Larger pictures are scaled down (the detector sees
 * 128 px and the mesh 192 px anyway); smaller ones are scaled up, because human returns
 * whole pixels of the picture it sees: at 1024 px a 512 px portrait gets half-pixel landmarks.
 */
export const DETECTION_LONG_SIDE = 1024;

const detectTask = offThreadTask(new URL('./detect-faces.ts', import.meta.url), detection, 'detectFaces');

const analyzeInput = z.object({
  bytes: z.instanceof(Uint8Array).refine((bytes) => bytes.length > 0, 'the portrait is empty'),
  signal: z.instanceof(AbortSignal).optional(),
});

export interface AnalyzePortraitOptions {
  signal?: AbortSignal;
}

/** Finds the face to animate in `bytes` (any image sharp reads); FACE_NOT_USABLE when there is none fit for it. */
export async function analyzePortrait(bytes: Uint8Array, options: AnalyzePortraitOptions = {}): Promise<FaceAnalysis> {
  const parsed = analyzeInput.safeParse({ bytes, signal: options.signal });
  if (!parsed.success) throw new ShenbiError('INVALID_INPUT', `analyzePortrait: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  const { signal } = options;
  throwIfCancelled(signal);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const probe = await probeImage(buffer, 'The portrait');
  const imageWidth = probe.displayWidth;
  const imageHeight = probe.displayHeight;
  const scale = DETECTION_LONG_SIDE / Math.max(imageWidth, imageHeight);
  const width = Math.max(1, Math.round(imageWidth * scale));
  const height = Math.max(1, Math.round(imageHeight * scale));
  throwIfCancelled(signal);
  const { data, info } = await renderImage(
    (await decodeImage(buffer))
      // A cut-out portrait's transparent background becomes white, not the black of its empty pixels.
      .flatten({ background: '#ffffff' })
      .resize(width, height, { fit: 'fill' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' }),
    'The portrait',
  );
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new ShenbiError('MEDIA_INVALID', `The portrait decoded to ${info.width}×${info.height}×${info.channels}, not ${width}×${height} RGB`);
  }
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const detected = await runOffThread(detectTask, [pixels, width, height], {
    ...(signal === undefined ? {} : { signal }),
    transfer: movable(pixels),
  });
  const faces = detected.map((face) => toOriginalPixels(face, imageWidth / width, imageHeight / height));
  return chooseFace(faces, imageWidth, imageHeight);
}

/** As runOffThread does: the signal's ShenbiError reason, else JOB_CANCELLED. */
function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted !== true) return;
  const reason: unknown = signal.reason;
  throw reason instanceof ShenbiError ? reason : new ShenbiError('JOB_CANCELLED', 'Face analysis was cancelled.', { cause: reason });
}

function toOriginalPixels(face: detection.DetectedFace, sx: number, sy: number): FaceLandmarks {
  return {
    box: { x: face.box.x * sx, y: face.box.y * sy, width: face.box.width * sx, height: face.box.height * sy },
    score: face.score,
    points: face.points.map(([x, y]) => [x * sx, y * sy] as const),
    pose: face.pose,
  };
}
