import { ascii, concat, id3v2Length, latin1, mediaInvalid } from './bytes.ts';
import type { ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';
import { encodeVorbisComment, findingsFromComments, parseVorbisComment, relabeledComment } from './vorbis-comment.ts';

/**
 * FLAC: the Vorbis comment metadata block (type 4) gets `AIGC=` and `SHENBI=` fields. The
 * metadata blocks are rewritten in memory; the audio frames are copied as they are.
 */

const STREAMINFO = 0;
const VORBIS_COMMENT = 4;

interface Block {
  type: number;
  data: Uint8Array;
}

function metadataBlocks(bytes: Uint8Array): { prefix: number; blocks: Block[]; audioStart: number } {
  // A leading ID3v2 tag (c2pa-rs puts its manifest there) is kept as it is.
  const prefix = id3v2Length(bytes);
  if (bytes.length < prefix + 8 || ascii(bytes, prefix, 4) !== 'fLaC') throw mediaInvalid('FLAC', 'no fLaC signature');
  const blocks: Block[] = [];
  let at = prefix + 4;
  for (;;) {
    if (at + 4 > bytes.length) throw mediaInvalid('FLAC', 'truncated metadata block header');
    const header = bytes[at]!;
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (at + 4 + length > bytes.length) throw mediaInvalid('FLAC', `metadata block at byte ${at} runs past the end of the file`);
    blocks.push({ type: header & 0x7f, data: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
    if (header & 0x80) break;
  }
  if (blocks[0]?.type !== STREAMINFO) throw mediaInvalid('FLAC', 'the first metadata block is not STREAMINFO');
  return { prefix, blocks, audioStart: at };
}

export function embedFlac(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const { prefix, blocks, audioStart } = metadataBlocks(bytes);
  const existing = blocks.find((b) => b.type === VORBIS_COMMENT);
  const comment: Block = { type: VORBIS_COMMENT, data: encodeVorbisComment(relabeledComment(existing === undefined ? null : parseVorbisComment(existing.data), payload)) };
  if (comment.data.length > 0xffffff) throw mediaInvalid('FLAC', 'the Vorbis comment block would exceed 16 MiB');
  // One comment block, right after STREAMINFO.
  const ordered = [blocks[0]!, comment, ...blocks.slice(1).filter((b) => b.type !== VORBIS_COMMENT)];
  const parts: Uint8Array[] = [bytes.subarray(0, prefix), latin1('fLaC')];
  ordered.forEach((b, i) => {
    const n = b.data.length;
    parts.push(new Uint8Array([(i === ordered.length - 1 ? 0x80 : 0) | b.type, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]), b.data);
  });
  parts.push(bytes.subarray(audioStart));
  return concat(parts);
}

export function readFlac(bytes: Uint8Array): RawFindings {
  const comments = metadataBlocks(bytes)
    .blocks.filter((b) => b.type === VORBIS_COMMENT)
    .flatMap((b) => parseVorbisComment(b.data)?.comments ?? []);
  return findingsFromComments(comments);
}
