import { ascii, mediaInvalid, view } from './bytes.ts';
import { remuxWithMetadata } from './ffmpeg-remux.ts';
import { aigcJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';
import { findingsFromComments, parseVorbisComment } from './vorbis-comment.ts';

/**
 * Ogg (Vorbis, Opus, FLAC): Vorbis comments `AIGC=` and `SHENBI=` on the first audio stream,
 * written by an ffmpeg stream-copy remux (editing in place would mean repaging and
 * re-checksumming every page). Stream-level on purpose: ffmpeg keeps an input stream's old
 * comment over a new global one, so a global `-metadata` would not replace an earlier label.
 */

export async function embedOgg(bytes: Uint8Array, payload: ImplicitLabelPayload): Promise<Uint8Array> {
  const streams = headerPackets(bytes);
  if (streams.size === 0) throw mediaInvalid('Ogg', 'no logical stream');
  return remuxWithMetadata(bytes, 'Ogg', 'ogg', ['-f', 'ogg', '-metadata:s:a:0', `AIGC=${aigcJson(payload.aigc)}`, '-metadata:s:a:0', `SHENBI=${shenbiJson(payload)}`]);
}

/** The first two packets (identification, comment) of every logical stream. */
function headerPackets(bytes: Uint8Array): Map<number, Uint8Array[]> {
  if (bytes.length < 27 || ascii(bytes, 0, 4) !== 'OggS') throw mediaInvalid('Ogg', 'no OggS capture pattern');
  const dv = view(bytes);
  const streams = new Map<number, { done: Uint8Array[]; partial: Uint8Array[] }>();
  let at = 0;
  // Headers sit in the first pages; stop once every stream has both header packets.
  while (at + 27 <= bytes.length && ascii(bytes, at, 4) === 'OggS') {
    const serial = dv.getUint32(at + 14, true);
    const segments = bytes[at + 26]!;
    const table = bytes.subarray(at + 27, at + 27 + segments);
    let data = at + 27 + segments;
    if (data > bytes.length) throw mediaInvalid('Ogg', `truncated page at byte ${at}`);
    let state = streams.get(serial);
    if (state === undefined) {
      state = { done: [], partial: [] };
      streams.set(serial, state);
    }
    for (const lacing of table) {
      if (data + lacing > bytes.length) throw mediaInvalid('Ogg', `truncated page at byte ${at}`);
      state.partial.push(bytes.subarray(data, data + lacing));
      data += lacing;
      if (lacing < 255 && state.done.length < 2) {
        state.done.push(Buffer.concat(state.partial));
        state.partial = [];
      } else if (lacing < 255) state.partial = [];
    }
    at = data;
    if ([...streams.values()].every((s) => s.done.length >= 2)) break;
  }
  return new Map([...streams].map(([serial, s]) => [serial, s.done]));
}

/** The comment body of a stream's second header packet, by codec. */
function commentBody(id: Uint8Array, comment: Uint8Array): Uint8Array | null {
  const head = ascii(id, 0, Math.min(8, id.length));
  if (head.startsWith('\x01vorbis') && ascii(comment, 0, 7) === '\x03vorbis') return comment.subarray(7);
  if (head === 'OpusHead' && ascii(comment, 0, 8) === 'OpusTags') return comment.subarray(8);
  if (head.startsWith('\x80theora') && ascii(comment, 0, 7) === '\x81theora') return comment.subarray(7);
  if (head.startsWith('\x7fFLAC') && ((comment[0] ?? 0) & 0x7f) === 4) return comment.subarray(4);
  if (head.startsWith('Speex')) return comment;
  return null;
}

export function readOgg(bytes: Uint8Array): RawFindings {
  const comments: string[] = [];
  for (const packets of headerPackets(bytes).values()) {
    if (packets.length < 2) continue;
    const body = commentBody(packets[0]!, packets[1]!);
    if (body !== null) comments.push(...(parseVorbisComment(body)?.comments ?? []));
  }
  return findingsFromComments(comments);
}
