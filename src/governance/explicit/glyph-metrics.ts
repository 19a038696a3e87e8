import { loadSharp } from '../../media/load-sharp.ts';

/** The CJK face every visual label is drawn in (Debian fonts-noto-cjk). */
export const LABEL_FONT_FAMILY = 'Noto Sans CJK SC';

/** Ink box of a wording per 1 px of font size, relative to the text origin (x, baseline). */
export interface InkMetrics {
  /** Ink height / font size. */
  readonly heightPerEm: number;
  readonly widthPerEm: number;
  /** Ink top above the baseline (positive up), per em. */
  readonly ascentPerEm: number;
  /** Ink left edge after the origin x, per em. */
  readonly leftPerEm: number;
}

const REFERENCE_SIZE = 200;
const cache = new Map<string, Promise<InkMetrics>>();

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * "Text height" in GB 45438 is ambiguous; we honour the stricter reading, ink height, so the
 * font size is derived from the wording's measured ink box, not from the em size. Measured once
 * per wording by rendering it large with the same renderer (librsvg) the marks use.
 */
export function inkMetrics(wording: string): Promise<InkMetrics> {
  let metrics = cache.get(wording);
  if (metrics === undefined) {
    metrics = measure(wording);
    cache.set(wording, metrics);
    metrics.catch(() => cache.delete(wording));
  }
  return metrics;
}

async function measure(wording: string): Promise<InkMetrics> {
  const sharp = await loadSharp();
  const size = REFERENCE_SIZE;
  const width = Math.ceil(size * (wording.length + 2) * 1.1);
  const height = size * 2;
  const originX = size / 2;
  const baseline = Math.round(size * 1.5);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${originX}" y="${baseline}" font-family="${LABEL_FONT_FAMILY}" font-size="${size}" fill="#fff" xml:lang="zh-CN">${xmlEscape(wording)}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
  let top = info.height;
  let bottom = -1;
  let left = info.width;
  let right = -1;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      // Half coverage: where a reader sees ink.
      if (data[y * info.width + x]! < 128) continue;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
    }
  }
  if (bottom < 0) throw new Error(`the label font rendered no ink for "${wording}"`);
  return {
    heightPerEm: (bottom - top + 1) / size,
    widthPerEm: (right - left + 1) / size,
    ascentPerEm: (baseline - top) / size,
    leftPerEm: (left - originX) / size,
  };
}
