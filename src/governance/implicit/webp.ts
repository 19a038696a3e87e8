import { mediaInvalid, utf8, utf8Text, view } from './bytes.ts';
import type { ImplicitLabelPayload } from './payload.ts';
import { chunkBytes, riffChunk, riffChunks, riffFile } from './riff.ts';
import type { RawFindings } from './types.ts';
import { buildXmpPacket, readXmp } from './xmp.ts';

/**
 * WebP: the XMP packet in an `XMP ` chunk of the extended format. A simple (VP8/VP8L) file
 * gets a VP8X header with the canvas size read from the bitstream; the XMP flag is set.
 */

const XMP_FLAG = 0x04;
const ALPHA_FLAG = 0x10;
/** Chunks that come before XMP in the extended layout; anything else (unknown chunks) comes after. */
const BEFORE_XMP = new Set(['VP8X', 'ICCP', 'ANIM', 'ANMF', 'ALPH', 'VP8 ', 'VP8L', 'EXIF']);

function vp8xFor(id: string, data: Uint8Array): Uint8Array {
  const dv = view(data);
  let width: number;
  let height: number;
  let flags = 0;
  if (id === 'VP8 ') {
    if (data.length < 10 || data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) throw mediaInvalid('WebP', 'bad VP8 frame header');
    width = dv.getUint16(6, true) & 0x3fff;
    height = dv.getUint16(8, true) & 0x3fff;
  } else {
    if (data.length < 5 || data[0] !== 0x2f) throw mediaInvalid('WebP', 'bad VP8L signature');
    const bits = dv.getUint32(1, true);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
    if ((bits >>> 28) & 1) flags |= ALPHA_FLAG;
  }
  const out = new Uint8Array(10);
  out[0] = flags;
  const w = width - 1;
  const h = height - 1;
  out.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 4);
  return out;
}

export function embedWebp(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const chunks = riffChunks(bytes, 'WEBP', 'WebP');
  const first = chunks[0]!;
  if (first.id !== 'VP8X' && first.id !== 'VP8 ' && first.id !== 'VP8L') throw mediaInvalid('WebP', `unexpected first chunk '${first.id}'`);
  const existing = chunks.find((c) => c.id === 'XMP ');
  const xmp = riffChunk('XMP ', utf8(buildXmpPacket(existing === undefined ? null : utf8Text(existing.data), payload)));
  const out: Uint8Array[] = [];
  if (first.id === 'VP8X') {
    if (first.data.length < 10) throw mediaInvalid('WebP', 'truncated VP8X chunk');
    const header = new Uint8Array(first.data);
    header[0]! |= XMP_FLAG;
    out.push(riffChunk('VP8X', header));
  } else {
    const header = vp8xFor(first.id, first.data);
    header[0]! |= XMP_FLAG;
    out.push(riffChunk('VP8X', header), chunkBytes(bytes, first));
  }
  const rest = chunks.slice(1).filter((c) => c.id !== 'XMP ');
  let placed = false;
  for (const chunk of rest) {
    if (!placed && !BEFORE_XMP.has(chunk.id)) {
      out.push(xmp);
      placed = true;
    }
    out.push(chunkBytes(bytes, chunk));
  }
  if (!placed) out.push(xmp);
  return riffFile('WEBP', out);
}

export function readWebp(bytes: Uint8Array): RawFindings {
  const found = riffChunks(bytes, 'WEBP', 'WebP')
    .filter((c) => c.id === 'XMP ')
    .map((c) => readXmp(utf8Text(c.data)));
  return {
    aigc: found.flatMap((f) => f.aigc),
    digitalSourceType: found[0]?.digitalSourceType ?? null,
    reproduction: found[0]?.reproduction ?? null,
  };
}
