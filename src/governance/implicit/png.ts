import { crc32, inflateSync } from 'node:zlib';
import { ascii, concat, latin1, mediaInvalid, u32be, utf8, utf8Text, view } from './bytes.ts';
import type { ImplicitLabelPayload } from './payload.ts';
import type { RawAigc, RawFindings } from './types.ts';
import { buildXmpPacket, readXmp } from './xmp.ts';

/**
 * PNG: the XMP packet in one uncompressed `iTXt` chunk, keyword `XML:com.adobe.xmp`, placed
 * before the first IDAT. Chunks are edited in memory; image data is never decoded.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const XMP_KEYWORD = 'XML:com.adobe.xmp';

interface Chunk {
  type: string;
  /** The whole chunk: length, type, data, CRC. */
  start: number;
  end: number;
  data: Uint8Array;
}

function chunks(bytes: Uint8Array): Chunk[] {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw mediaInvalid('PNG', 'no PNG signature');
  const dv = view(bytes);
  const out: Chunk[] = [];
  let at = 8;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw mediaInvalid('PNG', `truncated chunk header at byte ${at}`);
    const length = dv.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) throw mediaInvalid('PNG', `chunk at byte ${at} runs past the end of the file`);
    const type = ascii(bytes, at + 4, 4);
    out.push({ type, start: at, end, data: bytes.subarray(at + 8, at + 8 + length) });
    at = end;
    if (type === 'IEND') break;
  }
  if (out[0]?.type !== 'IHDR') throw mediaInvalid('PNG', 'the first chunk is not IHDR');
  if (!out.some((c) => c.type === 'IDAT')) throw mediaInvalid('PNG', 'no IDAT chunk');
  if (out.at(-1)?.type !== 'IEND') throw mediaInvalid('PNG', 'no IEND chunk');
  return out;
}

interface TextChunk {
  keyword: string;
  text: string;
}

/** tEXt, zTXt and iTXt contents; null for a malformed one (left alone). */
function textOf(chunk: Chunk): TextChunk | null {
  const d = chunk.data;
  const nul = d.indexOf(0);
  if (nul < 0) return null;
  const keyword = ascii(d, 0, nul);
  try {
    if (chunk.type === 'tEXt') return { keyword, text: ascii(d, nul + 1, d.length - nul - 1) };
    if (chunk.type === 'zTXt') return { keyword, text: inflateSync(d.subarray(nul + 2)).toString('latin1') };
    if (chunk.type === 'iTXt') {
      const compressed = d[nul + 1] === 1;
      const lang = d.indexOf(0, nul + 3);
      const translated = lang < 0 ? -1 : d.indexOf(0, lang + 1);
      if (translated < 0) return null;
      const body = d.subarray(translated + 1);
      return { keyword, text: compressed ? inflateSync(body).toString('utf8') : utf8Text(body) };
    }
  } catch {
    return null;
  }
  return null;
}

const isTextChunk = (c: Chunk): boolean => c.type === 'tEXt' || c.type === 'zTXt' || c.type === 'iTXt';

function makeChunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = concat([latin1(type), data]);
  return concat([u32be(data.length), typeAndData, u32be(crc32(typeAndData) >>> 0)]);
}

export function embedPng(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const all = chunks(bytes);
  let existingXmp: string | null = null;
  const kept: Chunk[] = [];
  for (const chunk of all) {
    if (isTextChunk(chunk)) {
      const text = textOf(chunk);
      if (text?.keyword === XMP_KEYWORD) {
        existingXmp ??= text.text;
        continue; // one packet, rewritten below
      }
      if (text !== null && /aigc/i.test(text.keyword)) continue; // one AIGC carrier per file
    }
    kept.push(chunk);
  }
  const packet = buildXmpPacket(existingXmp, payload);
  const itxt = makeChunk('iTXt', concat([latin1(XMP_KEYWORD), new Uint8Array([0, 0, 0, 0, 0]), utf8(packet)]));
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let inserted = false;
  for (const chunk of kept) {
    if (!inserted && chunk.type === 'IDAT') {
      parts.push(itxt);
      inserted = true;
    }
    parts.push(bytes.subarray(chunk.start, chunk.end));
  }
  return concat(parts);
}

export function readPng(bytes: Uint8Array): RawFindings {
  const aigc: RawAigc[] = [];
  let xmp: RawFindings | null = null;
  for (const chunk of chunks(bytes)) {
    if (!isTextChunk(chunk)) continue;
    const text = textOf(chunk);
    if (text === null) continue;
    if (text.keyword === XMP_KEYWORD) {
      const found = readXmp(text.text);
      aigc.push(...found.aigc);
      xmp ??= found;
    } else if (/aigc/i.test(text.keyword)) aigc.push({ placement: 'png-text', value: text.text });
  }
  return { aigc, digitalSourceType: xmp?.digitalSourceType ?? null, reproduction: xmp?.reproduction ?? null };
}
