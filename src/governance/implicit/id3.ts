import { ascii, concat, latin1, mediaInvalid, view } from './bytes.ts';
import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';

/**
 * MP3: ID3v2 `TXXX` frames, description `AIGC` (TC260-PG-202510A) and `Shenbi`. An existing
 * ID3v2.3/2.4 tag keeps its other frames and version; a file without one gets an ID3v2.3 tag
 * (readable by every tool, `id3v2` included). The audio frames are copied untouched.
 */

const AIGC_DESC = 'AIGC';
const SHENBI_DESC = 'Shenbi';

const syncsafe = (b: Uint8Array, at: number): number => ((b[at]! & 0x7f) << 21) | ((b[at + 1]! & 0x7f) << 14) | ((b[at + 2]! & 0x7f) << 7) | (b[at + 3]! & 0x7f);
const toSyncsafe = (n: number): Uint8Array => new Uint8Array([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);

function resync(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    out.push(data[i]!);
    if (data[i] === 0xff && data[i + 1] === 0x00) i++;
  }
  return new Uint8Array(out);
}

interface Frame {
  id: string;
  /** The frame as stored (header and body). */
  raw: Uint8Array;
  body: Uint8Array;
  /** v2.4 per-frame format flags. */
  formatFlags: number;
}

interface Tag {
  version: 3 | 4;
  flags: number;
  frames: Frame[];
  /** Where the audio starts. */
  end: number;
}

function readTag(bytes: Uint8Array): Tag | null {
  if (bytes.length < 10 || ascii(bytes, 0, 3) !== 'ID3') return null;
  const version = bytes[3]!;
  const flags = bytes[5]!;
  const size = syncsafe(bytes, 6);
  const end = 10 + size + (version === 4 && flags & 0x10 ? 10 : 0);
  if (end > bytes.length) throw mediaInvalid('MP3', 'the ID3v2 tag runs past the end of the file');
  if (version !== 3 && version !== 4) throw mediaInvalid('MP3', `ID3v2.${version} tags are not supported (only 2.3 and 2.4)`);
  let body = bytes.subarray(10, 10 + size);
  if (version === 3 && flags & 0x80) body = resync(body);
  let at = 0;
  if (flags & 0x40) at = version === 3 ? 4 + view(body).getUint32(0) : syncsafe(body, 0);
  const frames: Frame[] = [];
  while (at + 10 <= body.length && body[at] !== 0) {
    const id = ascii(body, at, 4);
    const frameSize = version === 4 ? syncsafe(body, at + 4) : view(body).getUint32(at + 4);
    const frameEnd = at + 10 + frameSize;
    if (!/^[A-Z0-9]{4}$/.test(id) || frameEnd > body.length) throw mediaInvalid('MP3', `malformed ID3v2 frame at tag byte ${at}`);
    frames.push({ id, raw: body.subarray(at, frameEnd), body: body.subarray(at + 10, frameEnd), formatFlags: body[at + 9]! });
    at = frameEnd;
  }
  return { version, flags, frames, end };
}

function decodeText(encoding: number, data: Uint8Array): string {
  if (encoding === 1) return Buffer.from(data).toString('utf16le').replace(/^\uFEFF/, '');
  if (encoding === 2) return Buffer.from(data).swap16().toString('utf16le');
  return Buffer.from(data).toString(encoding === 3 ? 'utf8' : 'latin1');
}

/** Description and value of a TXXX frame; null when it is compressed or encrypted. */
function userText(frame: Frame, version: 3 | 4): { description: string; value: string } | null {
  if (frame.id !== 'TXXX') return null;
  let body = frame.body;
  if (version === 4) {
    if (frame.formatFlags & 0x0c) return null;
    if (frame.formatFlags & 0x01) body = body.subarray(4); // data length indicator
    if (frame.formatFlags & 0x02) body = resync(body);
  } else if (frame.formatFlags & 0xc0) return null;
  if (body.length < 1) return null;
  const encoding = body[0]!;
  const wide = encoding === 1 || encoding === 2;
  let sep = 1;
  while (sep < body.length && !(wide ? body[sep] === 0 && body[sep + 1] === 0 && (sep - 1) % 2 === 0 : body[sep] === 0)) sep++;
  const description = decodeText(encoding, body.subarray(1, sep));
  const value = decodeText(encoding, body.subarray(Math.min(body.length, sep + (wide ? 2 : 1)))).replace(/\0+$/, '');
  return { description, value };
}

function txxx(description: string, value: string, version: 3 | 4): Uint8Array {
  const body = concat([new Uint8Array([0]), latin1(description), new Uint8Array([0]), latin1(value)]);
  const size = version === 4 ? toSyncsafe(body.length) : (() => {
    const b = new Uint8Array(4);
    view(b).setUint32(0, body.length);
    return b;
  })();
  return concat([latin1('TXXX'), size, new Uint8Array([0, 0]), body]);
}

function checkAudioFollows(bytes: Uint8Array, from: number): void {
  const limit = Math.min(bytes.length - 1, from + 64 * 1024);
  for (let i = from; i < limit; i++) if (bytes[i] === 0xff && (bytes[i + 1]! & 0xe0) === 0xe0) return;
  throw mediaInvalid('MP3', 'no MPEG audio frame found');
}

const ours = (description: string): boolean => description.toUpperCase() === AIGC_DESC || description === SHENBI_DESC;

export function embedMp3(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const tag = readTag(bytes);
  const version = tag?.version ?? 3;
  const start = tag?.end ?? 0;
  checkAudioFollows(bytes, start);
  const kept = (tag?.frames ?? []).filter((f) => {
    const text = userText(f, version);
    return text === null || !ours(text.description);
  });
  // Rewritten without extended header or footer; v2.4 keeps its unsynchronisation flag (our
  // frames are ASCII, so unsynchronising them changes nothing), v2.3 was resynchronised above.
  const frames = concat([...kept.map((f) => f.raw), txxx(AIGC_DESC, aigcJson(payload.aigc), version), txxx(SHENBI_DESC, shenbiJson(payload), version)]);
  const header = concat([latin1('ID3'), new Uint8Array([version, 0, version === 4 ? tag!.flags & 0x80 : 0]), toSyncsafe(frames.length)]);
  return concat([header, frames, bytes.subarray(start)]);
}

export function readMp3(bytes: Uint8Array): RawFindings {
  const tag = readTag(bytes);
  if (tag === null) {
    checkAudioFollows(bytes, 0);
    return { aigc: [], digitalSourceType: null, reproduction: null };
  }
  const texts = tag.frames.map((f) => userText(f, tag.version)).filter((t) => t !== null);
  const shenbi = texts.find((t) => t.description === SHENBI_DESC);
  return {
    aigc: texts.filter((t) => t.description.toUpperCase() === AIGC_DESC).map((t) => ({ placement: 'id3-txxx' as const, value: t.value })),
    ...parseShenbiJson(shenbi?.value ?? null),
  };
}
