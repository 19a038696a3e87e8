/**
 * The MP4 implicit label written in memory: a new `moov/udta/meta` (handler `mdta`, keys +
 * ilst, the layout ffmpeg's `use_metadata_tags` writes) replaces the old metadata, and every
 * chunk offset (stco/co64) moves by the moov's growth. A 20 MB composer output takes a few ms
 * instead of an ffmpeg remux through a temp folder (≈250 ms). Files this does not cover
 * (moov after mdat, fragments, QuickTime, 64-bit boxes in moov, other iTunes tags) return
 * null and go through the remux.
 */
import { ascii, concat, latin1, u32be, utf8, view } from './bytes.ts';
import { boxes, type Box } from './mp4.ts';

/** Keys ffmpeg's remux drops (`-metadata major_brand=` …) and the ones this label owns. */
const DROPPED_KEYS = new Set(['major_brand', 'minor_version', 'compatible_brands', 'aigc', 'shenbi']);
const CONTAINERS_TO_STBL = ['trak', 'mdia', 'minf', 'stbl'];

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(parts);
  return concat([u32be(body.length + 8), latin1(type), body]);
}

function utf8Data(value: string): Uint8Array {
  return box('data', u32be(1), u32be(0), utf8(value));
}

/** (key, raw `data` boxes) of a meta box; null when it holds something this writer would lose. */
function metaEntries(bytes: Uint8Array, meta: Box): [string, Uint8Array[]][] | null {
  const dv = view(bytes);
  const children = boxes(bytes, meta.body + 4, meta.end);
  const handler = children.find((b) => b.type === 'hdlr');
  const kind = handler === undefined || handler.body + 12 > handler.end ? '' : ascii(bytes, handler.body + 8, 4);
  const ilst = children.find((b) => b.type === 'ilst');
  if (children.some((b) => !['hdlr', 'keys', 'ilst', 'free'].includes(b.type))) return null;
  const items = ilst === undefined ? [] : boxes(bytes, ilst.body, ilst.end);
  const dataOf = (item: Box) => boxes(bytes, item.body, item.end).filter((b) => b.type === 'data').map((b) => bytes.subarray(b.start, b.end));
  if (kind === 'mdir') {
    // ffmpeg's own encoder tag (©too) becomes the `encoder` key, as its remux writes it; any other iTunes tag → remux.
    if (items.some((item) => item.type !== '\u00a9too')) return null;
    return items.map((item) => ['encoder', dataOf(item)]);
  }
  if (kind !== 'mdta') return null;
  const keysBox = children.find((b) => b.type === 'keys');
  if (keysBox === undefined) return items.length === 0 ? [] : null;
  const names: string[] = [];
  let at = keysBox.body + 8;
  const count = dv.getUint32(keysBox.body + 4);
  for (let i = 0; i < count && at + 8 <= keysBox.end; i++) {
    const size = dv.getUint32(at);
    if (size < 8 || at + size > keysBox.end) return null;
    names.push(ascii(bytes, at + 8, size - 8));
    at += size;
  }
  const out: [string, Uint8Array[]][] = [];
  for (const item of items) {
    const name = names[dv.getUint32(item.start + 4) - 1];
    if (name === undefined) return null;
    out.push([name, dataOf(item)]);
  }
  return out;
}

function metaBox(entries: readonly [string, Uint8Array[]][]): Uint8Array {
  const hdlr = box('hdlr', new Uint8Array(8), latin1('mdta'), new Uint8Array(13));
  const keys = box('keys', u32be(0), u32be(entries.length), ...entries.map(([name]) => box('mdta', utf8(name))));
  const ilst = box('ilst', ...entries.map(([, data], i) => concat([u32be(8 + data.reduce((n, d) => n + d.length, 0)), u32be(i + 1), ...data])));
  return box('meta', u32be(0), hdlr, keys, ilst);
}

/** Adds `delta` to every chunk offset of every track (all of them point past moov). */
function shiftChunkOffsets(moov: Uint8Array, delta: number, oldMoovEnd: number): boolean {
  const dv = view(moov);
  const visit = (from: number, to: number, depth: number): boolean => {
    for (const b of boxes(moov, from, to)) {
      if (depth < CONTAINERS_TO_STBL.length && b.type === CONTAINERS_TO_STBL[depth]) {
        if (!visit(b.body, b.end, depth + 1)) return false;
      } else if (depth === CONTAINERS_TO_STBL.length && (b.type === 'stco' || b.type === 'co64')) {
        const count = dv.getUint32(b.body + 4);
        const wide = b.type === 'co64';
        if (b.body + 8 + count * (wide ? 8 : 4) > b.end) return false;
        for (let i = 0; i < count; i++) {
          const at = b.body + 8 + i * (wide ? 8 : 4);
          const offset = wide ? Number(dv.getBigUint64(at)) : dv.getUint32(at);
          // A chunk in front of moov would not move: such a layout goes to the remux.
          if (offset < oldMoovEnd || (!wide && offset + delta > 0xffffffff)) return false;
          if (wide) dv.setBigUint64(at, BigInt(offset + delta));
          else dv.setUint32(at, offset + delta);
        }
      }
    }
    return true;
  };
  // moov's children start after its 8-byte header.
  return visit(8, moov.length, 0);
}

/** The labeled file, or null when the remux must do it. */
export function embedMp4InMemory(bytes: Uint8Array, aigc: string, shenbi: string): Uint8Array | null {
  const top = boxes(bytes, 0, bytes.length);
  const moovs = top.filter((b) => b.type === 'moov');
  const moov = moovs[0];
  if (moovs.length !== 1 || moov === undefined || moov.body !== moov.start + 8) return null;
  if (top.some((b) => b.type === 'moof' || b.type === 'sidx' || (b.type === 'mdat' && b.start < moov.start))) return null;
  if (top.reduce((n, b) => n + (b.end - b.start), 0) !== bytes.length) return null;
  const children = boxes(bytes, moov.body, moov.end);
  if (children.reduce((n, b) => n + (b.end - b.start), 0) !== moov.end - moov.body) return null;
  if (children.some((b) => b.type === 'meta' || b.body !== b.start + 8)) return null;
  const udtas = children.filter((b) => b.type === 'udta');
  if (udtas.length > 1) return null;
  const udta = udtas[0];
  const kept: Uint8Array[] = [];
  const entries: [string, Uint8Array[]][] = [];
  for (const child of udta === undefined ? [] : boxes(bytes, udta.body, udta.end)) {
    if (child.type !== 'meta') {
      kept.push(bytes.subarray(child.start, child.end));
      continue;
    }
    const found = metaEntries(bytes, child);
    if (found === null) return null;
    entries.push(...found.filter(([name]) => !DROPPED_KEYS.has(name.toLowerCase())));
  }
  entries.push(['AIGC', [utf8Data(aigc)]], ['SHENBI', [utf8Data(shenbi)]]);
  const newUdta = box('udta', ...kept, metaBox(entries));
  const parts = children.filter((b) => b.type !== 'udta').map((b) => bytes.subarray(b.start, b.end));
  const newMoov = box('moov', ...parts, newUdta);
  if (!shiftChunkOffsets(newMoov, newMoov.length - (moov.end - moov.start), moov.end)) return null;
  return concat([bytes.subarray(0, moov.start), newMoov, bytes.subarray(moov.end)]);
}
