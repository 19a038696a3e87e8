import { ascii, latin1, mediaInvalid, utf8, utf8Text, view } from './bytes.ts';
import type { ImplicitLabelPayload } from './payload.ts';
import type { AigcMarker, RawFindings } from './types.ts';

/**
 * STL has no metadata: a binary file has an 80-byte free header (which must not start with
 * "solid", or readers take it for ASCII), an ASCII file a free name after `solid`. Neither
 * holds the ~200-byte seven-key label, and nothing else in the format is free (the per-facet
 * attribute bytes are read as colours by some slicers). So STL carries a short marker —
 * `AIGC Label=1 ProduceID=<id>` — that names the artifact whose full label, source type and
 * reproduction record are in the store and the provenance ledger.
 */

const HEADER_BYTES = 80;
const MARKER = /\bAIGC Label=([123])(?: ProduceID=([\x21-\x7e]+))?/;

/** Binary STL: 80-byte header, u32 triangle count, 50 bytes per triangle, nothing after. */
export function isBinaryStl(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_BYTES + 4 && bytes.length === HEADER_BYTES + 4 + 50 * view(bytes).getUint32(HEADER_BYTES, true);
}

/** ASCII STL: `solid NAME`, then facets (or nothing), then `endsolid`. */
export function isAsciiStl(bytes: Uint8Array): boolean {
  const start = ascii(bytes, 0, Math.min(bytes.length, 512));
  if (!/^\s*solid\b[^\n]*\r?\n\s*(?:facet\b|endsolid\b)/.test(start)) return false;
  return /\bendsolid\b[^\n]*\s*$/.test(ascii(bytes, Math.max(0, bytes.length - 512), Math.min(bytes.length, 512)));
}

export function stlMarkerText(payload: ImplicitLabelPayload): string {
  const full = `AIGC Label=${payload.aigc.Label} ProduceID=${payload.aigc.ProduceID}`;
  return full.length <= HEADER_BYTES ? full : `AIGC Label=${payload.aigc.Label}`;
}

export function embedStl(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const marker = stlMarkerText(payload);
  if (isBinaryStl(bytes)) {
    const out = new Uint8Array(bytes);
    out.set(latin1(marker.padEnd(HEADER_BYTES, ' ')), 0);
    return out;
  }
  if (isAsciiStl(bytes)) {
    const text = utf8Text(bytes);
    const first = /^(\s*solid)([^\r\n]*)/.exec(text)!;
    // Keep the solid's own name after the marker; an earlier marker is replaced.
    const ownName = first[2]!.replace(MARKER, '').trim();
    const name = ownName === '' ? marker : `${marker} ${ownName}`;
    const head = `${first[1]} ${name}`;
    const body = text.slice(first[0].length).replace(/(\bendsolid)[^\r\n]*(\s*)$/, `$1 ${name}$2`);
    return utf8(head + body);
  }
  throw mediaInvalid('STL', 'it is neither a binary STL (84 + 50 × triangles bytes) nor an ASCII STL (solid … endsolid)');
}

export function readStl(bytes: Uint8Array): RawFindings {
  let text: string;
  let placement: AigcMarker['placement'];
  if (isBinaryStl(bytes)) {
    text = ascii(bytes, 0, HEADER_BYTES);
    placement = 'stl-header';
  } else if (isAsciiStl(bytes)) {
    text = /^\s*solid([^\r\n]*)/.exec(ascii(bytes, 0, Math.min(bytes.length, 512)))![1]!;
    placement = 'stl-solid-name';
  } else {
    throw mediaInvalid('STL', 'it is neither a binary nor an ASCII STL');
  }
  const m = MARKER.exec(text);
  const marker: AigcMarker | null = m === null ? null : { placement, text: m[0], label: m[1]!, produceId: m[2] ?? null };
  return { aigc: [], digitalSourceType: null, reproduction: null, marker };
}
