import { ascii, concat, latin1, mediaInvalid, utf8, utf8Text, view } from './bytes.ts';
import type { ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';
import { buildXmpPacket, readXmp } from './xmp.ts';

/**
 * JPEG: the XMP packet in an APP1 segment (`http://ns.adobe.com/xap/1.0/\0`), right after SOI
 * and the JFIF APP0 / Exif APP1 segments. Only the header segments are parsed; the
 * entropy-coded image data from SOS on is copied as it is.
 */

const XMP_HEADER = 'http://ns.adobe.com/xap/1.0/\0';
/** A segment's length field is 16 bits and counts itself. */
const MAX_XMP_PACKET = 0xffff - 2 - XMP_HEADER.length;

interface Segment {
  marker: number;
  start: number;
  end: number;
  data: Uint8Array;
}

function headerSegments(bytes: Uint8Array): { segments: Segment[]; scanStart: number } {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw mediaInvalid('JPEG', 'no SOI marker');
  const dv = view(bytes);
  const segments: Segment[] = [];
  let at = 2;
  for (;;) {
    if (at >= bytes.length || bytes[at] !== 0xff) throw mediaInvalid('JPEG', `expected a marker at byte ${at}`);
    let m = at + 1;
    while (m < bytes.length && bytes[m] === 0xff) m++; // fill bytes
    if (m >= bytes.length) throw mediaInvalid('JPEG', 'truncated before the image data');
    const marker = bytes[m]!;
    if (marker === 0xda) return { segments, scanStart: at };
    if (marker === 0xd9) throw mediaInvalid('JPEG', 'EOI before any image data');
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at = m + 1;
      continue;
    }
    if (m + 3 > bytes.length) throw mediaInvalid('JPEG', `truncated segment at byte ${at}`);
    const length = dv.getUint16(m + 1);
    const end = m + 1 + length;
    if (length < 2 || end > bytes.length) throw mediaInvalid('JPEG', `segment at byte ${at} runs past the end of the file`);
    segments.push({ marker, start: at, end, data: bytes.subarray(m + 3, end) });
    at = end;
  }
}

const isXmp = (s: Segment): boolean => s.marker === 0xe1 && s.data.length >= XMP_HEADER.length && ascii(s.data, 0, XMP_HEADER.length) === XMP_HEADER;
const isExif = (s: Segment): boolean => s.marker === 0xe1 && s.data.length >= 6 && ascii(s.data, 0, 6) === 'Exif\0\0';
const xmpText = (s: Segment): string => utf8Text(s.data.subarray(XMP_HEADER.length));

export function embedJpeg(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const { segments, scanStart } = headerSegments(bytes);
  const existing = segments.find(isXmp);
  const packet = utf8(buildXmpPacket(existing === undefined ? null : xmpText(existing), payload));
  if (packet.length > MAX_XMP_PACKET) throw mediaInvalid('JPEG', `its XMP packet would exceed one APP1 segment (${packet.length} bytes)`);
  const body = concat([latin1(XMP_HEADER), packet]);
  const app1 = concat([new Uint8Array([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  const kept = segments.filter((s) => !isXmp(s));
  let insertAt = 0;
  while (insertAt < kept.length && (kept[insertAt]!.marker === 0xe0 || isExif(kept[insertAt]!))) insertAt++;
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  kept.forEach((s, i) => {
    if (i === insertAt) parts.push(app1);
    parts.push(bytes.subarray(s.start, s.end));
  });
  if (insertAt === kept.length) parts.push(app1);
  parts.push(bytes.subarray(scanStart));
  return concat(parts);
}

export function readJpeg(bytes: Uint8Array): RawFindings {
  const { segments } = headerSegments(bytes);
  const found = segments.filter(isXmp).map((s) => readXmp(xmpText(s)));
  return {
    aigc: found.flatMap((f) => f.aigc),
    digitalSourceType: found.find((f) => f.digitalSourceType !== null)?.digitalSourceType ?? null,
    reproduction: found.find((f) => f.reproduction !== null)?.reproduction ?? null,
  };
}
