/**
 * The containers c2pa-wasm 0.13.3 (c2pa-rs 0.91) embeds a manifest into, probed by signing
 * and reading back a real file of each: everything here signed and validated; audio/ogg,
 * audio/opus, video/webm, audio/aac and image/bmp were refused (UnsupportedType). Keys are
 * the MIME types Shenbi may see; values the format name c2pa-rs is given (it knows fewer
 * aliases, e.g. not image/jpg or audio/x-m4a).
 */
const C2PA_FORMATS: Readonly<Record<string, string>> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/webp': 'image/webp',
  'image/gif': 'image/gif',
  'image/tiff': 'image/tiff',
  'image/x-adobe-dng': 'image/x-adobe-dng',
  'image/avif': 'image/avif',
  'image/heic': 'image/heic',
  'image/heif': 'image/heif',
  'image/svg+xml': 'image/svg+xml',
  'video/mp4': 'video/mp4',
  'application/mp4': 'application/mp4',
  'video/quicktime': 'video/quicktime',
  'video/x-msvideo': 'video/x-msvideo',
  'video/avi': 'video/avi',
  'video/msvideo': 'video/x-msvideo',
  'audio/wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/x-wav': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mpeg': 'audio/mpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/mp4': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-m4a': 'audio/mp4',
  'audio/flac': 'audio/flac',
  'audio/x-flac': 'audio/flac',
  'application/pdf': 'application/pdf',
};

/** The MIME types signC2pa signs (aliases included). */
export const C2PA_SIGNABLE_MIME_TYPES: readonly string[] = Object.keys(C2PA_FORMATS);

/** The c2pa-rs format for a MIME type (parameters ignored, case-insensitive), or null when it cannot carry a manifest. */
export function c2paFormatOf(mimeType: string): string | null {
  const base = (mimeType.split(';')[0] ?? '').trim().toLowerCase();
  return C2PA_FORMATS[base] ?? null;
}
