import { ShenbiError } from '../../core/errors.ts';

/** Small byte helpers shared by the container editors. */

export function mediaInvalid(format: string, message: string): ShenbiError {
  return new ShenbiError('MEDIA_INVALID', `Cannot label this ${format} file: ${message}.`, {
    details: { format },
    hint: 'The bytes do not match the declared MIME type, or the file is truncated or corrupt.',
  });
}

export const ascii = (bytes: Uint8Array, start: number, length: number): string => Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The parts joined, in a plain Uint8Array that owns its whole ArrayBuffer. A large join is
 * Buffer.concat's own allocation, viewed, not copied again: a second copy of a 20 MB video
 * cost ~60 ms here, mostly faulting in fresh pages. A small one lands in Buffer's shared
 * pool, so it is copied out of it (a view would carry the pool along when transferred).
 */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const joined = Buffer.concat(parts);
  return joined.byteOffset === 0 && joined.byteLength === joined.buffer.byteLength ? new Uint8Array(joined.buffer) : new Uint8Array(joined);
}

export const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
export const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
export const utf8Text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  view(out).setUint32(0, n);
  return out;
}

export function u32le(n: number): Uint8Array {
  const out = new Uint8Array(4);
  view(out).setUint32(0, n, true);
  return out;
}

/**
 * Length of a leading ID3v2 tag (header, body and footer), or 0. c2pa-rs stores its manifest
 * in an ID3v2 GEOB frame in front of FLAC files, so FLAC readers must look past it.
 */
export function id3v2Length(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  const footer = (bytes[5]! & 0x10) !== 0 ? 10 : 0;
  return Math.min(bytes.length, 10 + size + footer);
}
