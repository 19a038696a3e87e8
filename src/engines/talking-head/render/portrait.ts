import { readFile } from 'node:fs/promises';
import { ShenbiError } from '../../../core/errors.ts';
import { decodeImage, probeImage, renderImage } from '../../image-ops/probe.ts';
import type { FaceBox } from '../types.ts';
import { MAX_LONG_SIDE, MAX_SHORT_SIDE } from './options.ts';

export interface Portrait {
  readonly width: number;
  readonly height: number;
  /** RGB, 3 bytes a pixel: what the video shows outside the face, and what the face warps from. */
  readonly rgb: Uint8Array;
  /** A copy of a rectangle of it. */
  crop(box: FaceBox): Uint8Array;
}

/**
 * Decodes the portrait once (EXIF orientation applied, alpha dropped, sRGB), for both the
 * warp and ffmpeg's background, so the face patch and the picture around it come from the
 * very same pixels and meet without a seam, whatever the file's format. The renderer needs
 * the output size (even, ≤ 1080p); `anySize` lifts that for layouts that scale it.
 */
export async function readPortrait(path: string, options: { anySize?: boolean } = {}): Promise<Portrait> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `cannot read the portrait ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  const probe = await probeImage(bytes, 'the portrait');
  const { displayWidth: width, displayHeight: height } = probe;
  if (options.anySize !== true && (width % 2 !== 0 || height % 2 !== 0 || Math.max(width, height) > MAX_LONG_SIDE || Math.min(width, height) > MAX_SHORT_SIDE)) {
    throw new ShenbiError('INVALID_INPUT', `the portrait is ${width}×${height}: the renderer needs an even width and height, at most ${MAX_LONG_SIDE}×${MAX_SHORT_SIDE} or ${MAX_SHORT_SIDE}×${MAX_LONG_SIDE}`, {
      details: { width, height },
      hint: 'Scale the portrait to the output size first.',
    });
  }
  const { data } = await renderImage((await decodeImage(bytes)).removeAlpha().toColourspace('srgb').raw(), 'the portrait');
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (rgb.length !== width * height * 3) throw new ShenbiError('MEDIA_INVALID', `the portrait decoded to ${rgb.length} bytes, not ${width}×${height} RGB`);
  return {
    width,
    height,
    rgb,
    crop(box) {
      const out = new Uint8Array(box.width * box.height * 3);
      for (let row = 0; row < box.height; row++) {
        const from = ((box.y + row) * width + box.x) * 3;
        out.set(rgb.subarray(from, from + box.width * 3), row * box.width * 3);
      }
      return out;
    },
  };
}
