import type { Metadata } from 'sharp';
import { loadSharp } from '../../media/load-sharp.ts';
import { ShenbiError } from '../../core/errors.ts';
import { inkMetrics, LABEL_FONT_FAMILY, xmlEscape } from './glyph-metrics.ts';
import type { Corner } from './options.ts';
import { INCOMPRESSIBLE_RATIO, pngDeflateRatio } from './png-density.ts';
import type { ExplicitResult } from './text.ts';
import { sharpErrorGist } from '../../engines/image-ops/sharp-error.ts';

export interface ImageLabelOptions {
  readonly wording: string;
  readonly corner: Corner;
  /** Target ink height / shortest side. */
  readonly inkRatio: number;
}

/** A label box to draw: the plate's place and the text inside it (all in pixels). */
export interface LabelBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly fontSize: number;
  /** Expected ink height of the text, and its ratio to the shortest side. */
  readonly inkHeight: number;
  readonly inkRatio: number;
  readonly svg: string;
}

/** The plate is black at this opacity: white text stays ≥ 4.5:1 against it on any background. */
export const PLATE_OPACITY = 0.62;

/**
 * Lays out the label for a width×height picture: font size from the wording's measured ink
 * box so the ink is ≥ inkRatio of the shortest side; a semi-opaque plate behind the text keeps
 * it legible on any background. Too narrow for the wording at that size → shrunk to fit (and
 * the record says so through its measured ratio).
 */
export async function layoutLabel(width: number, height: number, wording: string, corner: Corner, inkRatio: number): Promise<LabelBox> {
  const metrics = await inkMetrics(wording);
  const shortest = Math.min(width, height);
  let fontSize = Math.max(1, Math.ceil((inkRatio * shortest) / metrics.heightPerEm + 0.5));
  const margin = Math.round(shortest * 0.02);
  const padFor = (size: number) => Math.max(2, Math.round(size * metrics.heightPerEm * 0.3));
  const plateWidth = (size: number) => Math.ceil(size * metrics.widthPerEm) + 2 * padFor(size) + 2;
  const plateHeight = (size: number) => Math.ceil(size * metrics.heightPerEm) + 2 * padFor(size) + 2;
  while (fontSize > 1 && (plateWidth(fontSize) + 2 * margin > width || plateHeight(fontSize) + 2 * margin > height)) fontSize--;
  const pad = padFor(fontSize);
  const w = Math.min(width, plateWidth(fontSize));
  const h = Math.min(height, plateHeight(fontSize));
  const left = corner.endsWith('left') ? margin : Math.max(0, width - margin - w);
  const top = corner.startsWith('top') ? margin : Math.max(0, height - margin - h);
  const textX = pad + 1 - metrics.leftPerEm * fontSize;
  const baseline = pad + 1 + metrics.ascentPerEm * fontSize;
  const radius = Math.round(pad * 0.6);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<rect width="${w}" height="${h}" rx="${radius}" fill="#000" fill-opacity="${PLATE_OPACITY}"/>` +
    `<text x="${textX.toFixed(2)}" y="${baseline.toFixed(2)}" font-family="${LABEL_FONT_FAMILY}" font-size="${fontSize}" fill="#fff" xml:lang="zh-CN">${xmlEscape(wording)}</text></svg>`;
  const inkHeight = metrics.heightPerEm * fontSize;
  return { left, top, width: w, height: h, fontSize, inkHeight, inkRatio: inkHeight / shortest, svg };
}

const FORMATS = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;

/**
 * Article 4(3): a conspicuous mark on the picture. One decode, one composite, one encode, in
 * the input's format and dimensions (EXIF orientation is applied first, so the mark lands in
 * the corner a viewer sees).
 */
export async function labelImage(bytes: Uint8Array, options: ImageLabelOptions): Promise<ExplicitResult> {
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `cannot read the image to label it: ${sharpErrorGist(error)}`, { cause: error });
  }
  const format = meta.format as string;
  if (!(format in FORMATS) || meta.width === undefined || meta.height === undefined) {
    return { bytes, record: { type: 'aigc-explicit', placement: 'sidecar', value: { wording: options.wording, reason: `no visible mark for ${format} images` } } };
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  const width = rotated ? meta.height : meta.width;
  const height = rotated ? meta.width : meta.height;
  const box = await layoutLabel(width, height, options.wording, options.corner, options.inkRatio);
  let image = sharp(bytes).keepIccProfile();
  if ((meta.orientation ?? 1) > 1) image = image.autoOrient();
  image = image.composite([{ input: Buffer.from(box.svg), left: box.left, top: box.top }]);
  if (format === 'png') {
    // The plate's composite adds an alpha channel; an opaque input stays opaque (same pixels, ¾ the samples).
    if (meta.hasAlpha !== true) image = image.removeAlpha();
    // Noise-like pixels did not compress before the mark and will not after it: skip deflate's search.
    const stored = !meta.isPalette && (pngDeflateRatio(bytes, meta) ?? 0) >= INCOMPRESSIBLE_RATIO;
    image = image.png(meta.isPalette ? { palette: true } : stored ? { compressionLevel: 0 } : {});
  } else if (format === 'jpeg') image = image.jpeg({ quality: 92 });
  else image = image.webp({ quality: 92 });
  const out = await image.toBuffer();
  return {
    bytes: out,
    record: {
      type: 'aigc-explicit',
      placement: `image-${options.corner}`,
      value: {
        wording: options.wording,
        box: { left: box.left, top: box.top, width: box.width, height: box.height },
        fontSize: box.fontSize,
        textHeightRatio: Number(box.inkRatio.toFixed(4)),
      },
    },
  };
}
