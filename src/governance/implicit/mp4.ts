import { ascii, mediaInvalid, utf8Text, view } from './bytes.ts';
import { remuxWithMetadata } from './ffmpeg-remux.ts';
import { embedMp4InMemory } from './mp4-udta.ts';
import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawAigc, RawFindings } from './types.ts';
import { readXmp } from './xmp.ts';

/**
 * MP4 / M4A / MOV: `moov/udta/meta` keys `AIGC` and `SHENBI` (TC260-PG-20257A §6.1.1),
 * written by an ffmpeg stream-copy remux. `use_metadata_tags` is what makes ffmpeg write a
 * keys/ilst pair at all; without it the tag is silently dropped. `faststart` keeps moov in
 * front for streaming. The brand keys ffmpeg would copy from ftyp are left out.
 */

export interface Box {
  type: string;
  start: number;
  end: number;
  /** Payload start. */
  body: number;
}

export function boxes(bytes: Uint8Array, from: number, to: number): Box[] {
  const dv = view(bytes);
  const out: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = dv.getUint32(at);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) break;
      size = Number(dv.getBigUint64(at + 8));
      body = at + 16;
    } else if (size === 0) size = to - at;
    if (size < body - at || at + size > to) break;
    out.push({ type: ascii(bytes, at + 4, 4), start: at, end: at + size, body });
    at += size;
  }
  return out;
}

const MP4_TOP_LEVEL = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'uuid', 'pnot', 'moof', 'styp', 'sidx']);

function checkMp4(bytes: Uint8Array): { brand: string } {
  const top = boxes(bytes, 0, bytes.length);
  if (top.length === 0 || !MP4_TOP_LEVEL.has(top[0]!.type)) throw mediaInvalid('MP4', 'no ISO-BMFF box structure');
  if (!top.some((b) => b.type === 'moov')) throw mediaInvalid('MP4', 'no moov box');
  const ftyp = top.find((b) => b.type === 'ftyp');
  return { brand: ftyp === undefined ? 'qt  ' : ascii(bytes, ftyp.body, 4) };
}

export async function embedMp4(bytes: Uint8Array, payload: ImplicitLabelPayload): Promise<Uint8Array> {
  const { brand } = checkMp4(bytes);
  const mov = brand === 'qt  ';
  // A faststart MP4 (what every composer writes) is edited in memory; anything else is remuxed.
  const inMemory = mov ? null : embedMp4InMemory(bytes, aigcJson(payload.aigc), shenbiJson(payload));
  if (inMemory !== null) return inMemory;
  return remuxWithMetadata(bytes, 'MP4', mov ? 'mov' : 'mp4', [
    '-f', mov ? 'mov' : 'mp4',
    '-movflags', '+use_metadata_tags+faststart',
    '-metadata', 'major_brand=',
    '-metadata', 'minor_version=',
    '-metadata', 'compatible_brands=',
    '-metadata', `AIGC=${aigcJson(payload.aigc)}`,
    '-metadata', `SHENBI=${shenbiJson(payload)}`,
  ]);
}

/** keys/ilst pairs of a `meta` box: key name → values. */
function metaItems(bytes: Uint8Array, meta: Box): Map<string, string[]> {
  const dv = view(bytes);
  // ISO meta is a full box (4 bytes of version/flags); QuickTime's is not.
  const first = meta.body + 4 <= meta.end ? ascii(bytes, meta.body + 4, 4) : '';
  const children = boxes(bytes, first === 'hdlr' ? meta.body : meta.body + 4, meta.end);
  const keysBox = children.find((b) => b.type === 'keys');
  const ilst = children.find((b) => b.type === 'ilst');
  const out = new Map<string, string[]>();
  if (keysBox === undefined || ilst === undefined) return out;
  const names: string[] = [];
  let at = keysBox.body + 8;
  const count = keysBox.body + 8 <= keysBox.end ? dv.getUint32(keysBox.body + 4) : 0;
  for (let i = 0; i < count && at + 8 <= keysBox.end; i++) {
    const size = dv.getUint32(at);
    if (size < 8 || at + size > keysBox.end) break;
    names.push(ascii(bytes, at + 8, size - 8));
    at += size;
  }
  for (const item of boxes(bytes, ilst.body, ilst.end)) {
    const index = dv.getUint32(item.start + 4);
    const name = names[index - 1];
    if (name === undefined) continue;
    for (const data of boxes(bytes, item.body, item.end).filter((b) => b.type === 'data' && b.end - b.body >= 8)) {
      out.set(name, [...(out.get(name) ?? []), utf8Text(bytes.subarray(data.body + 8, data.end))]);
    }
  }
  return out;
}

const XMP_UUID = 'be7acfcb97a942e89c71999491e3afac';

export function readMp4(bytes: Uint8Array): RawFindings {
  checkMp4(bytes);
  const top = boxes(bytes, 0, bytes.length);
  const aigc: RawAigc[] = [];
  let shenbi: string | null = null;
  let xmp: RawFindings | null = null;
  for (const moov of top.filter((b) => b.type === 'moov')) {
    const moovChildren = boxes(bytes, moov.body, moov.end);
    const metas = [
      ...moovChildren.filter((b) => b.type === 'meta'),
      ...moovChildren.filter((b) => b.type === 'udta').flatMap((u) => boxes(bytes, u.body, u.end).filter((b) => b.type === 'meta')),
    ];
    for (const meta of metas) {
      for (const [name, values] of metaItems(bytes, meta)) {
        if (name.toUpperCase() === 'AIGC') aigc.push(...values.map((value) => ({ placement: 'mp4-udta' as const, value })));
        if (name.toUpperCase() === 'SHENBI') shenbi ??= values[0] ?? null;
      }
    }
  }
  // The XMP fallback seen in the wild: a top-level uuid box with TC260:AIGC.
  for (const uuid of top.filter((b) => b.type === 'uuid' && b.end - b.body >= 16)) {
    if (Buffer.from(bytes.subarray(uuid.body, uuid.body + 16)).toString('hex') !== XMP_UUID) continue;
    xmp = readXmp(utf8Text(bytes.subarray(uuid.body + 16, uuid.end)));
    aigc.push(...xmp.aigc);
  }
  const entry = parseShenbiJson(shenbi);
  return { aigc, digitalSourceType: entry.digitalSourceType ?? xmp?.digitalSourceType ?? null, reproduction: entry.reproduction ?? xmp?.reproduction ?? null };
}
