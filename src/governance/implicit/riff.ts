import { ascii, concat, latin1, mediaInvalid, u32le, view } from './bytes.ts';

/** RIFF containers (WAV, WebP): little-endian chunk sizes, each chunk padded to an even length. */

export interface RiffChunk {
  id: string;
  /** The whole chunk: header, data and pad byte. */
  start: number;
  end: number;
  data: Uint8Array;
}

export function riffChunks(bytes: Uint8Array, form: string, format: string, options: { repairLastData?: boolean } = {}): RiffChunk[] {
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== form) throw mediaInvalid(format, `not a RIFF ${form} file`);
  const dv = view(bytes);
  const out: RiffChunk[] = [];
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at, 4);
    let size = dv.getUint32(at + 4, true);
    if (at + 8 + size > bytes.length) {
      // Streamed WAV writers leave a placeholder size on the last chunk: it runs to the end.
      if (options.repairLastData === true && id === 'data') size = bytes.length - at - 8;
      else throw mediaInvalid(format, `chunk '${id}' at byte ${at} runs past the end of the file`);
    }
    const end = Math.min(bytes.length, at + 8 + size + (size & 1));
    out.push({ id, start: at, end, data: bytes.subarray(at + 8, at + 8 + size) });
    at = end;
  }
  if (out.length === 0) throw mediaInvalid(format, 'no chunks');
  return out;
}

export function riffChunk(id: string, data: Uint8Array): Uint8Array {
  const parts = [latin1(id), u32le(data.length), data];
  if (data.length & 1) parts.push(new Uint8Array(1));
  return concat(parts);
}

/** A chunk as stored, with its size field rewritten when it was a placeholder. */
export function chunkBytes(bytes: Uint8Array, chunk: RiffChunk): Uint8Array {
  const raw = bytes.subarray(chunk.start, chunk.end);
  if (view(bytes).getUint32(chunk.start + 4, true) === chunk.data.length) return raw;
  return riffChunk(chunk.id, chunk.data);
}

export function riffFile(form: string, chunks: readonly Uint8Array[]): Uint8Array {
  const body = concat([latin1(form), ...chunks]);
  return concat([latin1('RIFF'), u32le(body.length), body]);
}
