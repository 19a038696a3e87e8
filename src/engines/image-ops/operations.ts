import { ShenbiError } from '../../core/errors.ts';
import { decodeImage, probeImage, renderImage, MAX_INPUT_PIXELS } from './probe.ts';
import type { Sharp } from 'sharp';

/**
 * Picture operations on user images with sharp (libvips): every input is probed against the
 * pixel limit before decoding, and every output is encoded in the asked format.
 */
export type OutputFormat = 'png' | 'jpeg' | 'webp';
export type ResizeFit = 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
export type CropStrategy = 'attention' | 'entropy' | 'centre';

export interface EncodedImage {
  bytes: Buffer;
  width: number;
  height: number;
  format: OutputFormat;
}

/** Largest output an upscale may produce (64 MP, e.g. 8192×8192 area). */
export const MAX_OUTPUT_PIXELS = 64_000_000;

function encode(pipeline: Sharp, format: OutputFormat): Sharp {
  return format === 'jpeg' ? pipeline.jpeg({ quality: 90, mozjpeg: true }) : format === 'webp' ? pipeline.webp({ quality: 85 }) : pipeline.png();
}

async function finish(pipeline: Sharp, format: OutputFormat): Promise<EncodedImage> {
  const { data, info } = await renderImage(encode(pipeline, format));
  return { bytes: data, width: info.width, height: info.height, format };
}

export interface ResizeOptions {
  width?: number | undefined;
  height?: number | undefined;
  fit?: ResizeFit | undefined;
  /** Letterbox colour for `contain`. */
  background?: string | undefined;
  format?: OutputFormat | undefined;
}

export async function resizeImage(bytes: Buffer, options: ResizeOptions): Promise<EncodedImage> {
  if (options.width === undefined && options.height === undefined) throw new ShenbiError('INVALID_INPUT', 'resize needs a width, a height or both');
  await probeImage(bytes);
  const pipeline = (await decodeImage(bytes)).resize({
    ...(options.width ? { width: options.width } : {}),
    ...(options.height ? { height: options.height } : {}),
    fit: options.fit ?? 'inside',
    kernel: 'lanczos3',
    background: options.background ?? '#000000',
  });
  return finish(pipeline, options.format ?? 'png');
}

export interface CropOptions {
  /** An exact box in source pixels (after EXIF rotation). */
  box?: { left: number; top: number; width: number; height: number } | undefined;
  /** Without a box: the output size, and how to choose what to keep. */
  width?: number | undefined;
  height?: number | undefined;
  strategy?: CropStrategy | undefined;
  format?: OutputFormat | undefined;
}

export async function cropImage(bytes: Buffer, options: CropOptions): Promise<EncodedImage> {
  const probe = await probeImage(bytes);
  if (options.box) {
    const { left, top, width, height } = options.box;
    if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > probe.displayWidth || top + height > probe.displayHeight) {
      throw new ShenbiError('INVALID_INPUT', `crop box ${width}×${height}+${left}+${top} is outside the ${probe.displayWidth}×${probe.displayHeight} picture`, {
        details: { box: options.box, width: probe.displayWidth, height: probe.displayHeight },
      });
    }
    return finish((await decodeImage(bytes)).extract({ left, top, width, height }), options.format ?? 'png');
  }
  if (!options.width || !options.height) throw new ShenbiError('INVALID_INPUT', 'crop needs a box, or a width and height for a smart crop');
  // libvips "attention" keeps the region with the most skin, saturation and edges; "entropy" the busiest.
  const position = options.strategy === 'centre' ? 'centre' : options.strategy === 'entropy' ? 'entropy' : 'attention';
  return finish((await decodeImage(bytes)).resize({ width: options.width, height: options.height, fit: 'cover', position, kernel: 'lanczos3' }), options.format ?? 'png');
}

export interface UpscaleOptions {
  factor: 2 | 4;
  format?: OutputFormat | undefined;
  maxOutputPixels?: number | undefined;
}

/** Lanczos resampling and a mild unsharp mask: a plain upscale, not a super-resolution model. */
export async function upscaleImage(bytes: Buffer, options: UpscaleOptions): Promise<EncodedImage> {
  const probe = await probeImage(bytes);
  const width = probe.displayWidth * options.factor;
  const height = probe.displayHeight * options.factor;
  const limit = options.maxOutputPixels ?? MAX_OUTPUT_PIXELS;
  if (width * height > limit) {
    throw new ShenbiError('INVALID_INPUT', `a ${options.factor}× upscale of ${probe.displayWidth}×${probe.displayHeight} would be ${width}×${height}, over the ${limit / 1e6} MP output limit`, {
      details: { width, height, limit },
      hint: 'Use factor 2, or crop the picture first.',
    });
  }
  const pipeline = (await decodeImage(bytes)).resize({ width, height, kernel: 'lanczos3' }).sharpen({ sigma: 0.6, m1: 0.5, m2: 1.5 });
  return finish(pipeline, options.format ?? 'png');
}

/** A small preview, WebP by default: the longer side is `size` pixels. */
export async function thumbnailImage(bytes: Buffer, size = 256, format: OutputFormat = 'webp'): Promise<EncodedImage> {
  await probeImage(bytes);
  return finish((await decodeImage(bytes)).resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' }), format);
}

export { MAX_INPUT_PIXELS };
