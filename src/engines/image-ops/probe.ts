import type { Metadata, OutputInfo, Sharp } from 'sharp';
import { loadSharp } from '../../media/load-sharp.ts';
import { ShenbiError } from '../../core/errors.ts';
import { sharpErrorGist } from './sharp-error.ts';

/** The most pixels Shenbi decodes from a user image (a 10000×10000 picture; a decompression bomb is far larger). */
export const MAX_INPUT_PIXELS = 100_000_000;

export interface ImageProbe {
  width: number;
  height: number;
  format: string;
  /** EXIF orientation applied: the size as displayed. */
  displayWidth: number;
  displayHeight: number;
}

/**
 * Reads only the header: dimensions are checked against the pixel limit before any pixel is
 * decoded, so a tiny file claiming 100k×100k is refused at once. Corrupt or unknown data
 * is MEDIA_INVALID.
 */
export async function probeImage(bytes: Buffer, what = 'image', maxPixels = MAX_INPUT_PIXELS): Promise<ImageProbe> {
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `${what} is not a readable image: ${sharpErrorGist(error)}`, { cause: error });
  }
  const { width, height, format } = meta;
  if (!width || !height || !format) throw new ShenbiError('MEDIA_INVALID', `${what} has no dimensions or format`);
  if (width * height > maxPixels) {
    throw new ShenbiError('MEDIA_INVALID', `${what} is ${width}×${height} (${Math.round((width * height) / 1e6)} MP), over the ${maxPixels / 1e6} MP limit`, {
      details: { width, height, maxPixels },
      hint: 'Downscale the picture before giving it to Shenbi.',
    });
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  return { width, height, format, displayWidth: rotated ? height : width, displayHeight: rotated ? width : height };
}

/** A sharp pipeline on checked input: the pixel limit holds again while decoding, orientation applied. */
export async function decodeImage(bytes: Buffer, maxPixels = MAX_INPUT_PIXELS): Promise<Sharp> {
  const sharp = await loadSharp();
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' }).rotate();
}

/** Runs a sharp pipeline; a decode failure (truncated, corrupt data) is MEDIA_INVALID, not a crash. */
export async function renderImage(pipeline: Sharp, what = 'image'): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    return await pipeline.toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `${what} could not be decoded: ${sharpErrorGist(error)}`, { cause: error });
  }
}
