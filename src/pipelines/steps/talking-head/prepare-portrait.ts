import { loadSharp } from '../../../media/load-sharp.ts';
import { probeImage } from '../../../engines/image-ops/probe.ts';

export interface PreparedPortrait {
  /** PNG at the output size (even width and height). */
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Landscape frames fit 1920×1080, portrait ones 1080×1920: H.264's 1080p either way. */
const MAX_LONG = 1920;
const MAX_SHORT = 1080;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * The portrait as the video will show it. 'source' keeps its size (capped at 1080p, never
 * enlarged); '720p' / '1080p' scale its short side to 720 / 1080. EXIF orientation is applied
 * first.
 */
export async function preparePortrait(bytes: Buffer, options: { resolution: 'source' | '720p' | '1080p' }): Promise<PreparedPortrait> {
  const sharp = await loadSharp();
  // A decompression bomb is refused before anything is decoded.
  await probeImage(bytes, 'the portrait');
  const upright = sharp(bytes, { limitInputPixels: false }).rotate();
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  // EXIF orientations 5–8 turn the picture a quarter: width and height swap.
  const quarterTurn = (meta.orientation ?? 1) >= 5;
  const sourceWidth = (quarterTurn ? meta.height : meta.width) ?? 0;
  const sourceHeight = (quarterTurn ? meta.width : meta.height) ?? 0;
  const short = Math.min(sourceWidth, sourceHeight);
  const long = Math.max(sourceWidth, sourceHeight);
  const scale = options.resolution === 'source' ? Math.min(1, MAX_SHORT / short, MAX_LONG / long) : Math.min((options.resolution === '1080p' ? 1080 : 720) / short, MAX_LONG / long);
  const width = even(sourceWidth * scale);
  const height = even(sourceHeight * scale);
  const png = await upright.resize(width, height, { fit: 'fill' }).removeAlpha().png({ compressionLevel: 1 }).toBuffer();
  return { png, width, height };
}
