import { ShenbiError } from '../../core/errors.ts';
import type { Cloud3dImage } from './types.ts';

/** The picture's type from its first bytes: providers take PNG, JPEG and WebP. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') return 'image/webp';
  return undefined;
}

/** Checks an image input and names its type; anything else is INVALID_INPUT, before any provider call. */
export function toCloud3dImage(bytes: Uint8Array, name: string): Cloud3dImage {
  const mediaType = sniffImageType(bytes);
  if (mediaType === undefined) throw new ShenbiError('INVALID_INPUT', `image ${name.slice(0, 200)} is not a PNG, JPEG or WebP picture`);
  return { bytes, mediaType };
}

export function dataUri(image: Cloud3dImage): string {
  return `data:${image.mediaType};base64,${Buffer.from(image.bytes).toString('base64')}`;
}

export function imageExtension(image: Cloud3dImage): 'png' | 'jpg' | 'webp' {
  return image.mediaType === 'image/png' ? 'png' : image.mediaType === 'image/webp' ? 'webp' : 'jpg';
}
