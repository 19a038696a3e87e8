/**
 * USDZ packages (the USD file format specification, "Zip File Format"): a zip whose files
 * are stored uncompressed, each file's data starting at a multiple of 64 bytes so USD can
 * map it in place, and whose first file is the package's default layer (.usda / .usdc / .usd).
 * Written with fflate: level 0, alignment padding in the local header's extra field (id
 * 0x1986, as USD's own zip writer pads), one fixed entry time, so the same entries give the
 * same bytes on every run and in every time zone.
 */
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { ShenbiError } from '../../core/errors.ts';

export interface UsdzEntry {
  /** Path inside the package, forward slashes ("model.usda", "geometries/Geometry_1.usda"). */
  readonly name: string;
  readonly data: Uint8Array;
}

/** Where one file sits in a zip, read from its central directory and local header. */
export interface ZipEntryLayout {
  readonly name: string;
  /** 0 = stored, 8 = deflated. */
  readonly method: number;
  /** Offset of the file's first data byte in the zip. */
  readonly dataOffset: number;
  readonly compressedSize: number;
  readonly size: number;
}

/** The USDZ data alignment. */
export const USDZ_ALIGNMENT = 64;
/** Layer files; the first file of a package must be one (its default layer). */
export const USD_LAYER = /\.(?:usda|usdc|usd)$/i;
/** Extra-field id used for alignment padding (USD's zipFile.cpp uses the same). */
const PADDING_FIELD_ID = 0x1986;
/** Local-time fields of this Date are what the zip stores: built from local fields, the same everywhere. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const LOCAL_HEADER_BYTES = 30;
/** A declared size past this is refused before inflating (a zip bomb, not a model). */
const MAX_UNPACKED_BYTES = 1 << 30;

function invalid(message: string): ShenbiError {
  return new ShenbiError('MEDIA_INVALID', `Not a readable USDZ package: ${message}.`, {
    details: { format: 'USDZ' },
    hint: 'The bytes do not match the declared MIME type, or the file is truncated or corrupt.',
  });
}

/** Whether a zip's file names (in order) make a USDZ package: the first one is a USD layer. */
export function isUsdzPackage(names: readonly string[]): boolean {
  return names.length > 0 && USD_LAYER.test(names[0]!);
}

/** The files of a zip in their stored order, with method and data offsets (MEDIA_INVALID when it is not a zip). */
export function zipLayout(bytes: Uint8Array): ZipEntryLayout[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  // End of central directory: 22 bytes plus a comment of at most 65,535.
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) throw invalid('no zip end-of-central-directory record');
  const count = u16(end + 10);
  let at = u32(end + 16);
  const decoder = new TextDecoder();
  const entries: ZipEntryLayout[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || u32(at) !== 0x02014b50) throw invalid(`central directory entry ${i} is damaged`);
    const nameLength = u16(at + 28);
    const local = u32(at + 42);
    if (at + 46 + nameLength > bytes.length || local + LOCAL_HEADER_BYTES > bytes.length || u32(local) !== 0x04034b50) throw invalid(`entry ${i} points at no local header`);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    const compressedSize = u32(at + 20);
    const dataOffset = local + LOCAL_HEADER_BYTES + u16(local + 26) + u16(local + 28);
    if (dataOffset + compressedSize > bytes.length) throw invalid(`${name} runs past the end of the file`);
    entries.push({ name, method: u16(at + 10), dataOffset, compressedSize, size: u32(at + 24) });
    at += 46 + nameLength + u16(at + 30) + u16(at + 32);
  }
  return entries;
}

/** The package's files in order (MEDIA_INVALID: not a zip, no files, a repeated name, or a first file that is not a USD layer). */
export function readUsdz(bytes: Uint8Array): UsdzEntry[] {
  const layout = zipLayout(bytes);
  if (layout.length === 0) throw invalid('the zip holds no files');
  if (!isUsdzPackage(layout.map((e) => e.name))) throw invalid(`its first file ${layout[0]!.name} is not a USD layer (.usda, .usdc or .usd)`);
  if (new Set(layout.map((e) => e.name)).size !== layout.length) throw invalid('a file name appears twice');
  if (layout.reduce((sum, e) => sum + e.size, 0) > MAX_UNPACKED_BYTES) throw invalid(`it unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  return layout.map(({ name }) => {
    const data = files[name];
    if (data === undefined) throw invalid(`${name} could not be read`);
    return { name, data };
  });
}

/**
 * A USDZ package of `entries`, in their order: stored, every file's data 64-byte aligned,
 * fixed times. The first entry must be the default layer.
 */
export function writeUsdz(entries: readonly UsdzEntry[]): Uint8Array {
  if (entries.length === 0 || !USD_LAYER.test(entries[0]!.name)) throw new Error('a USDZ package starts with its default layer (.usda, .usdc or .usd)');
  const files: Zippable = {};
  let offset = 0;
  for (const { name, data } of entries) {
    if (Object.hasOwn(files, name)) throw new Error(`USDZ entry ${name} given twice`);
    const headerEnd = offset + LOCAL_HEADER_BYTES + strToU8(name).length;
    // The padding field itself takes 4 bytes (id, length) before its zeros.
    const padding = headerEnd % USDZ_ALIGNMENT === 0 ? null : new Uint8Array((USDZ_ALIGNMENT - ((headerEnd + 4) % USDZ_ALIGNMENT)) % USDZ_ALIGNMENT);
    files[name] = [data, { level: 0, mtime: FIXED_MTIME, ...(padding === null ? {} : { extra: { [PADDING_FIELD_ID]: padding } }) }];
    offset = headerEnd + (padding === null ? 0 : 4 + padding.length) + data.length;
  }
  const zip = zipSync(files);
  // fflate's header layout is what the padding was computed against: check it rather than trust it.
  for (const entry of zipLayout(zip)) {
    if (entry.method !== 0 || entry.dataOffset % USDZ_ALIGNMENT !== 0) throw new Error(`USDZ entry ${entry.name} was not stored at a 64-byte boundary`);
  }
  return zip;
}
