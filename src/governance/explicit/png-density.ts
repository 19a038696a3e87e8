/**
 * How well a PNG's pixels compressed: its IDAT bytes over the raw filtered scanlines. Read
 * from chunk headers only (no inflate). Noise-like renders sit at ≈1.0: deflate at any level
 * cannot shrink them, and level 6 spends ≈150 ms on a 1080p frame to gain nothing.
 */
import type { Metadata } from 'sharp';

const SIGNATURE_LENGTH = 8;

/** IDAT bytes / raw scanline bytes; undefined when the header fields are missing or the chunks unreadable. */
export function pngDeflateRatio(bytes: Uint8Array, meta: Pick<Metadata, 'width' | 'height' | 'channels' | 'depth'>): number | undefined {
  const { width, height, channels } = meta;
  if (width === undefined || height === undefined || channels === undefined) return undefined;
  const bitsPerSample = meta.depth === 'ushort' ? 16 : 8;
  const raw = height * (1 + Math.ceil((width * channels * bitsPerSample) / 8));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let idat = 0;
  for (let at = SIGNATURE_LENGTH; at + 12 <= bytes.byteLength; ) {
    const length = dv.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
    if (type === 'IDAT') idat += length;
    if (type === 'IEND') return raw > 0 ? idat / raw : undefined;
    at += 12 + length;
  }
  return undefined;
}

/**
 * Above this ratio the labeled picture is written with stored deflate blocks (level 0): the
 * pixels are the same, and the file is no larger than a level-6 encode would make it
 * (stored blocks add 5 bytes per 64 KiB; level 6 on such data adds its Huffman overhead).
 */
export const INCOMPRESSIBLE_RATIO = 0.99;
