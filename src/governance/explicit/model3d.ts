import { ShenbiError } from '../../core/errors.ts';
import type { ExplicitResult } from './text.ts';

/** Where the label lives in a glTF asset; the studio's viewer shows it over the start view. */
export const GLTF_LABEL_KEY = 'aigcExplicitLabel';

const NOTE = 'Show this text over the first rendered view (Measures Art. 4(5); GB 45438 §5.5).';

function setLabel(json: Record<string, unknown>, wording: string): Record<string, unknown> {
  const asset = (typeof json.asset === 'object' && json.asset !== null ? json.asset : { version: '2.0' }) as Record<string, unknown>;
  const extras = (typeof asset.extras === 'object' && asset.extras !== null ? asset.extras : {}) as Record<string, unknown>;
  return { ...json, asset: { ...asset, extras: { ...extras, [GLTF_LABEL_KEY]: { text: wording, display: 'start-view-overlay', note: NOTE } } } };
}

function invalid(message: string, cause?: unknown): ShenbiError {
  return new ShenbiError('MEDIA_INVALID', `glTF: ${message}`, cause === undefined ? {} : { cause });
}

/**
 * Article 4(5), virtual scenes: the prompt belongs on the start view, which only a renderer
 * draws, so the file carries the wording in `asset.extras` for the viewer to show (glTF JSON,
 * or the JSON chunk of a GLB). The geometry is untouched.
 */
export function labelGltf(bytes: Uint8Array, mimeType: string, wording: string): ExplicitResult {
  const record = { type: 'aigc-explicit', placement: `gltf-asset-extras.${GLTF_LABEL_KEY}`, value: { wording, display: 'start-view-overlay' } };
  if (mimeType.startsWith('model/gltf-binary')) return { bytes: labelGlb(bytes, wording), record };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw invalid('not JSON', error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('not a glTF object');
  return { bytes: Buffer.from(JSON.stringify(setLabel(json as Record<string, unknown>, wording)), 'utf8'), record };
}

const GLB_MAGIC = 0x46546c67;
const JSON_CHUNK = 0x4e4f534a;

function labelGlb(bytes: Uint8Array, wording: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 20 || view.getUint32(0, true) !== GLB_MAGIC || view.getUint32(16, true) !== JSON_CHUNK) throw invalid('not a GLB file');
  const jsonLength = view.getUint32(12, true);
  if (20 + jsonLength > bytes.length) throw invalid('truncated JSON chunk');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLength))) as Record<string, unknown>;
  } catch (error) {
    throw invalid('unreadable JSON chunk', error);
  }
  const text = Buffer.from(JSON.stringify(setLabel(json, wording)), 'utf8');
  // Chunks are 4-byte aligned; the JSON chunk pads with spaces.
  const padded = Buffer.alloc(Math.ceil(text.length / 4) * 4, 0x20);
  text.copy(padded);
  const rest = bytes.subarray(20 + jsonLength);
  const out = Buffer.alloc(20 + padded.length + rest.length);
  out.writeUInt32LE(GLB_MAGIC, 0);
  out.writeUInt32LE(view.getUint32(4, true), 4);
  out.writeUInt32LE(out.length, 8);
  out.writeUInt32LE(padded.length, 12);
  out.writeUInt32LE(JSON_CHUNK, 16);
  padded.copy(out, 20);
  out.set(rest, 20 + padded.length);
  return out;
}
