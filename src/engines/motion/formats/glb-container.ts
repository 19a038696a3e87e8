/**
 * The GLB container itself (glTF 2.0 §4.4): a 12-byte header, a JSON chunk and an optional
 * BIN chunk. Retargeting edits a user's file at this level so everything it does not touch
 * (VRM extensions, materials, textures, unknown extensions) is kept byte for byte.
 */
import { ShenbiError } from '../../../core/errors.ts';

const MAGIC = 0x46546c67; // "glTF"
const JSON_CHUNK = 0x4e4f534a;
const BIN_CHUNK = 0x004e4942;

export interface GlbParts {
  json: Record<string, unknown>;
  bin: Uint8Array;
}

const invalid = (reason: string): ShenbiError =>
  new ShenbiError('MEDIA_INVALID', `Not a readable GLB file: ${reason}.`, { details: { format: 'glb' }, hint: 'Give a binary glTF 2.0 file (.glb or .vrm).' });

export function readGlb(bytes: Uint8Array): GlbParts {
  if (bytes.length < 20) throw invalid('it is shorter than a GLB header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw invalid('it does not start with "glTF"');
  if (view.getUint32(4, true) !== 2) throw invalid(`container version ${view.getUint32(4, true)} (only 2 is glTF 2.0)`);
  const total = Math.min(view.getUint32(8, true), bytes.length);
  let json: Record<string, unknown> | null = null;
  let bin: Uint8Array = new Uint8Array(0);
  for (let at = 12; at + 8 <= total; ) {
    const length = view.getUint32(at, true);
    const type = view.getUint32(at + 4, true);
    if (at + 8 + length > total) throw invalid('a chunk runs past the end of the file');
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === JSON_CHUNK && json === null) {
      try {
        const parsed: unknown = JSON.parse(new TextDecoder().decode(data));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        json = parsed as Record<string, unknown>;
      } catch (error) {
        throw invalid(`its JSON chunk does not parse (${(error as Error).message})`);
      }
    } else if (type === BIN_CHUNK && bin.length === 0) bin = data;
    at += 8 + length;
  }
  if (json === null) throw invalid('it has no JSON chunk');
  return { json, bin };
}

const pad4 = (n: number): number => (n + 3) & ~3;

export function writeGlb({ json, bin }: GlbParts): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = pad4(text.length);
  const binLength = pad4(bin.length);
  const total = 12 + 8 + jsonLength + (bin.length > 0 ? 8 + binLength : 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLength, true);
  view.setUint32(16, JSON_CHUNK, true);
  out.set(text, 20);
  out.fill(0x20, 20 + text.length, 20 + jsonLength); // JSON is padded with spaces
  if (bin.length > 0) {
    const at = 20 + jsonLength;
    view.setUint32(at, binLength, true);
    view.setUint32(at + 4, BIN_CHUNK, true);
    out.set(bin, at + 8);
  }
  return out;
}
