import { concat, u32le, utf8, view } from './bytes.ts';
import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';

/** Vorbis comments (FLAC, Ogg Vorbis/Opus/FLAC): `AIGC=<json>` and `SHENBI=<json>`. */

export const AIGC_FIELD = 'AIGC';
export const SHENBI_FIELD = 'SHENBI';

export interface VorbisComment {
  vendor: string;
  comments: string[];
}

/** null when the block is malformed. */
export function parseVorbisComment(data: Uint8Array): VorbisComment | null {
  const dv = view(data);
  const text = (at: number, length: number): string => Buffer.from(data.buffer, data.byteOffset + at, length).toString('utf8');
  if (data.length < 8) return null;
  const vendorLength = dv.getUint32(0, true);
  let at = 4 + vendorLength;
  if (at + 4 > data.length) return null;
  const vendor = text(4, vendorLength);
  const count = dv.getUint32(at, true);
  at += 4;
  const comments: string[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 4 > data.length) return null;
    const length = dv.getUint32(at, true);
    if (at + 4 + length > data.length) return null;
    comments.push(text(at + 4, length));
    at += 4 + length;
  }
  return { vendor, comments };
}

const fieldName = (comment: string): string => comment.slice(0, Math.max(0, comment.indexOf('='))).toUpperCase();

/** The comment with every earlier AIGC and SHENBI field replaced by this payload's. */
export function relabeledComment(existing: VorbisComment | null, payload: ImplicitLabelPayload): VorbisComment {
  const kept = (existing?.comments ?? []).filter((c) => fieldName(c) !== AIGC_FIELD && fieldName(c) !== SHENBI_FIELD);
  return { vendor: existing?.vendor ?? 'Shenbi', comments: [...kept, `${AIGC_FIELD}=${aigcJson(payload.aigc)}`, `${SHENBI_FIELD}=${shenbiJson(payload)}`] };
}

export function encodeVorbisComment(comment: VorbisComment): Uint8Array {
  const vendor = utf8(comment.vendor);
  return concat([u32le(vendor.length), vendor, u32le(comment.comments.length), ...comment.comments.flatMap((c) => {
    const b = utf8(c);
    return [u32le(b.length), b];
  })]);
}

export function findingsFromComments(comments: readonly string[]): RawFindings {
  const value = (c: string): string => c.slice(c.indexOf('=') + 1);
  const shenbi = comments.find((c) => fieldName(c) === SHENBI_FIELD);
  return {
    aigc: comments.filter((c) => fieldName(c) === AIGC_FIELD).map((c) => ({ placement: 'vorbis-comment' as const, value: value(c) })),
    ...parseShenbiJson(shenbi === undefined ? null : value(shenbi)),
  };
}
