import { mediaInvalid, utf8, utf8Text } from './bytes.ts';
import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import { chunkBytes, riffChunk, riffChunks, riffFile } from './riff.ts';
import type { RawFindings } from './types.ts';

/**
 * WAV: a RIFF chunk with id `AIGC` holding the bare JSON (TC260-PG-202510A), and a `SHNB`
 * chunk with the Shenbi entry, appended after the audio; sizes fixed, chunks padded even.
 */

export const WAV_AIGC_CHUNK = 'AIGC';
export const WAV_SHENBI_CHUNK = 'SHNB';

export function embedWav(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const chunks = riffChunks(bytes, 'WAVE', 'WAV', { repairLastData: true });
  if (!chunks.some((c) => c.id === 'fmt ') || !chunks.some((c) => c.id === 'data')) throw mediaInvalid('WAV', 'no fmt or data chunk');
  const kept = chunks.filter((c) => c.id !== WAV_AIGC_CHUNK && c.id !== WAV_SHENBI_CHUNK).map((c) => chunkBytes(bytes, c));
  return riffFile('WAVE', [...kept, riffChunk(WAV_AIGC_CHUNK, utf8(aigcJson(payload.aigc))), riffChunk(WAV_SHENBI_CHUNK, utf8(shenbiJson(payload)))]);
}

export function readWav(bytes: Uint8Array): RawFindings {
  const chunks = riffChunks(bytes, 'WAVE', 'WAV', { repairLastData: true });
  const shenbi = chunks.find((c) => c.id === WAV_SHENBI_CHUNK);
  const entry = parseShenbiJson(shenbi === undefined ? null : utf8Text(shenbi.data));
  return {
    aigc: chunks.filter((c) => c.id === WAV_AIGC_CHUNK).map((c) => ({ placement: 'riff-chunk' as const, value: utf8Text(c.data) })),
    ...entry,
  };
}
