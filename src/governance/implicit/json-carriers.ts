import { AIGC_KEYS } from '../aigc.ts';
import { ascii, concat, latin1, mediaInvalid, u32le, utf8, utf8Text, view } from './bytes.ts';
import { parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';

/**
 * JSON-based formats, where the label is a JSON object rather than a string:
 * - glTF / GLB: `asset.extras.AIGC` (the seven keys) and `asset.extras.Shenbi`; `extras` is
 *   glTF's slot for application data, so every loader keeps and ignores it;
 * - other JSON: a top-level `"AIGC"` member when the document is an object (arrays and bare
 *   values have nowhere to put one and keep the label in the store only).
 */

function aigcObject(payload: ImplicitLabelPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of AIGC_KEYS) out[k] = payload.aigc[k];
  return out;
}

function parseJson(text: string, format: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw mediaInvalid(format, `it is not JSON (${(error as Error).message})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The indentation the document already uses (0: compact). */
function indentOf(text: string): number {
  const m = /\n( +)\S/.exec(text);
  return m === null ? 0 : m[1]!.length;
}

/** null: the document is not an object, so there is no carrier. */
export function embedJson(text: string, payload: ImplicitLabelPayload): string | null {
  const doc = parseJson(text, 'JSON');
  if (!isObject(doc)) return null;
  const member = JSON.stringify(aigcObject(payload));
  if (!Object.keys(doc).some((k) => k.toUpperCase() === 'AIGC')) {
    // Insert as text, so the document keeps its formatting, key order and number spellings.
    const close = text.lastIndexOf('}');
    const before = text.slice(0, close).trimEnd();
    const indent = indentOf(text);
    const sep = before.endsWith('{') ? '' : ',';
    const entry = indent === 0 ? `"AIGC":${member}` : `\n${' '.repeat(indent)}"AIGC": ${member}\n`;
    return `${before}${sep}${entry}${text.slice(close)}`;
  }
  for (const k of Object.keys(doc)) if (k.toUpperCase() === 'AIGC') delete doc[k];
  doc.AIGC = aigcObject(payload);
  return JSON.stringify(doc, null, indentOf(text) || undefined) + (text.endsWith('\n') ? '\n' : '');
}

export function readJson(text: string): RawFindings {
  const doc = parseJson(text, 'JSON');
  if (!isObject(doc)) return { aigc: [], digitalSourceType: null, reproduction: null };
  return {
    aigc: Object.entries(doc)
      .filter(([k]) => k.toUpperCase() === 'AIGC')
      .map(([, v]) => ({ placement: 'json-member' as const, value: isObject(v) ? v : String(v) })),
    digitalSourceType: null,
    reproduction: null,
  };
}

function gltfAsset(doc: unknown, format: string): Record<string, unknown> {
  if (!isObject(doc) || !isObject(doc.asset) || typeof doc.asset.version !== 'string') throw mediaInvalid(format, 'no asset.version');
  return doc.asset;
}

function labelGltfDoc(doc: unknown, payload: ImplicitLabelPayload, format: string): void {
  const asset = gltfAsset(doc, format);
  const extras = isObject(asset.extras) ? asset.extras : {};
  for (const k of Object.keys(extras)) if (k.toUpperCase() === 'AIGC') delete extras[k];
  extras.AIGC = aigcObject(payload);
  extras.Shenbi = JSON.parse(shenbiJson(payload)) as unknown;
  asset.extras = extras;
}

function gltfFindings(doc: unknown, format: string): RawFindings {
  const extras = gltfAsset(doc, format).extras;
  if (!isObject(extras)) return { aigc: [], digitalSourceType: null, reproduction: null };
  return {
    aigc: Object.entries(extras)
      .filter(([k]) => k.toUpperCase() === 'AIGC')
      .map(([, v]) => ({ placement: 'gltf-extras' as const, value: isObject(v) ? v : String(v) })),
    ...parseShenbiJson(extras.Shenbi === undefined ? null : JSON.stringify(extras.Shenbi)),
  };
}

export function embedGltf(text: string, payload: ImplicitLabelPayload): string {
  const doc = parseJson(text, 'glTF');
  labelGltfDoc(doc, payload, 'glTF');
  return JSON.stringify(doc, null, indentOf(text) || undefined) + (text.endsWith('\n') ? '\n' : '');
}

export const readGltf = (text: string): RawFindings => gltfFindings(parseJson(text, 'glTF'), 'glTF');

/** GLB: 12-byte header, then a JSON chunk (padded with spaces to 4 bytes) and an optional BIN chunk. */
function glbParts(bytes: Uint8Array): { json: string; rest: Uint8Array } {
  if (bytes.length < 20 || ascii(bytes, 0, 4) !== 'glTF') throw mediaInvalid('GLB', 'no glTF magic');
  const dv = view(bytes);
  if (dv.getUint32(4, true) !== 2) throw mediaInvalid('GLB', `unsupported version ${dv.getUint32(4, true)}`);
  const length = dv.getUint32(12, true);
  if (ascii(bytes, 16, 4) !== 'JSON' || 20 + length > bytes.length) throw mediaInvalid('GLB', 'the first chunk is not a complete JSON chunk');
  return { json: utf8Text(bytes.subarray(20, 20 + length)), rest: bytes.subarray(20 + length) };
}

export function embedGlb(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const { json, rest } = glbParts(bytes);
  const doc = parseJson(json, 'GLB');
  labelGltfDoc(doc, payload, 'GLB');
  let chunk = utf8(JSON.stringify(doc));
  if (chunk.length % 4) chunk = concat([chunk, utf8(' '.repeat(4 - (chunk.length % 4)))]);
  const body = concat([u32le(chunk.length), latin1('JSON'), chunk, rest]);
  return concat([latin1('glTF'), u32le(2), u32le(12 + body.length), body]);
}

export function readGlb(bytes: Uint8Array): RawFindings {
  return gltfFindings(parseJson(glbParts(bytes).json, 'GLB'), 'GLB');
}
