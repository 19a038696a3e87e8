import { ascii, id3v2Length } from './bytes.ts';
import { isBvhText } from './bvh.ts';
import { isAsciiStl, isBinaryStl } from './stl.ts';
import { isThreeMfPackage, zipEntryNames } from './three-mf-package.ts';
import { isUsdzPackage } from '../../media/usdz/usdz-package.ts';
import type { Container } from './types.ts';

/** Container families by MIME type (parameters such as `; charset=utf-8` ignored). */
const BY_MIME: Record<string, Container> = {
  'image/png': 'png',
  'image/apng': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/quicktime': 'mp4',
  'video/x-m4v': 'mp4',
  'audio/mp4': 'mp4',
  'audio/m4a': 'mp4',
  'audio/x-m4a': 'mp4',
  'audio/aac-mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/vorbis': 'ogg',
  'application/ogg': 'ogg',
  'video/ogg': 'ogg',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'application/json': 'json',
  'model/gltf+json': 'gltf',
  'model/gltf-binary': 'glb',
  'model/stl': 'stl',
  'model/x.stl-binary': 'stl',
  'model/x.stl-ascii': 'stl',
  'application/sla': 'stl',
  'model/3mf': '3mf',
  'application/vnd.ms-package.3dmanufacturing-3dmodel+xml': '3mf',
  'model/vnd.usdz+zip': 'usdz',
  'application/x-bvh': 'bvh',
  'audio/midi': 'midi',
  'audio/x-midi': 'midi',
  'audio/mid': 'midi',
  'text/vtt': 'vtt',
  'text/x-ass': 'ass',
  'text/x-ssa': 'ass',
  'application/x-ass': 'ass',
  'application/x-lrc': 'lrc',
  'text/x-lrc': 'lrc',
  'text/html': 'html',
  'application/x-subrip': 'srt',
  'text/srt': 'srt',
  'text/plain': 'text',
};

export function containerForMime(mimeType: string): Container {
  return BY_MIME[mimeType.split(';')[0]!.trim().toLowerCase()] ?? 'unknown';
}

/** The container family from the bytes themselves (for `shenbi verify` on any file). */
export function sniffContainer(bytes: Uint8Array): Container {
  const head = (n: number, at = 0): string => (bytes.length >= at + n ? ascii(bytes, at, n) : '');
  if (head(8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (head(4) === 'RIFF' && head(4, 8) === 'WEBP') return 'webp';
  if (head(4) === 'RIFF' && head(4, 8) === 'WAVE') return 'wav';
  if (['ftyp', 'moov', 'mdat', 'wide', 'free'].includes(head(4, 4))) return 'mp4';
  if (head(4) === 'fLaC' || (head(3) === 'ID3' && head(4, id3v2Length(bytes)) === 'fLaC')) return 'flac';
  if (head(4) === 'OggS') return 'ogg';
  if (head(4) === 'MThd') return 'midi';
  if (head(4) === 'glTF') return 'glb';
  if (head(3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'mp3';
  if (head(4) === 'PK\x03\x04') {
    const names = zipEntryNames(bytes) ?? [];
    if (isThreeMfPackage(names)) return '3mf';
    if (isUsdzPackage(names)) return 'usdz';
  }
  // A binary STL header is free bytes: only the size relation identifies it, so after every magic number.
  if (isBinaryStl(bytes) || isAsciiStl(bytes)) return 'stl';
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 4096)).toString('utf8').replace(/^\uFEFF/, '');
  if (text.includes('\uFFFD') || text.includes('\0')) return 'unknown';
  const start = text.trimStart();
  if (isBvhText(start)) return 'bvh';
  if (/^WEBVTT(?:[ \t\r\n]|$)/.test(text)) return 'vtt';
  if (/^\[Script Info\]/i.test(start)) return 'ass';
  if (/^---\r?\n/.test(text)) return 'markdown';
  if (start.startsWith('{') || start.startsWith('[')) {
    if (/^\[(?:[a-z#]+:|\d+:\d)/i.test(start)) return 'lrc';
    if (/"asset"\s*:\s*\{/.test(text)) return 'gltf';
    return 'json';
  }
  if (/^<(?:!doctype html|html|head)[\s>]/i.test(start)) return 'html';
  if (/^\d+\r?\n\d\d:\d\d:\d\d[,.]\d{3} --> /.test(start)) return 'srt';
  return 'text';
}
