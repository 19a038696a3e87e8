import { readUsdz, writeUsdz, type UsdzEntry } from '../../media/usdz/usdz-package.ts';
import { mediaInvalid } from './bytes.ts';
import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';
import { editLayerMetadata, isUsdaText, readLayerMetadata, type LayerMetadataEdit } from './usda-layer.ts';

/**
 * USDZ (Apple AR): the label lives in the package's default layer — its first file — as
 * string entries of the layer's `customLayerData` dictionary: `AIGC` (the seven keys) and
 * `Shenbi` (source type and reproduction record), the JSON escaped as a USDA string. USD
 * keeps customLayerData through composition and `usdcat`, and it is the documented place for
 * a layer's own custom metadata. A binary (.usdc, crate) default layer is not rewritten: the
 * label is recorded in the store and ledger ('store'). The package is re-zipped by
 * media/usdz (stored, 64-byte aligned, fixed times), so the same input gives the same bytes.
 */
export const USDZ_AIGC_KEY = 'AIGC';
export const USDZ_SHENBI_KEY = 'Shenbi';
export const USDZ_STORE_NOTE = "the USDZ's default layer is binary USD (.usdc), which Shenbi does not rewrite; the label is recorded in the store and ledger";

const isAigcKey = (key: string): boolean => /(?:^|:)aigc$/i.test(key);

export interface UsdzDefaultLayer {
  readonly entries: UsdzEntry[];
  /** The default layer's text, or null when it is binary (crate) USD. */
  readonly text: string | null;
}

/** The package's files and its default layer (MEDIA_INVALID when it is not a USDZ package). */
export function openUsdz(bytes: Uint8Array): UsdzDefaultLayer {
  const entries = readUsdz(bytes);
  const first = entries[0]!;
  const head = Buffer.from(first.data.buffer, first.data.byteOffset, Math.min(first.data.length, 8)).toString('latin1');
  if (head === 'PXR-USDC') return { entries, text: null };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(first.data);
  } catch {
    throw mediaInvalid('USDZ', `its default layer ${first.name} is neither USD ASCII (UTF-8) nor binary USD`);
  }
  if (!isUsdaText(text)) throw mediaInvalid('USDZ', `its default layer ${first.name} does not start with "#usda" or "PXR-USDC"`);
  return { entries, text };
}

/** The package again with its default layer's metadata edited (same file order, deterministic bytes). */
export function repackUsdzWithLayer(pkg: UsdzDefaultLayer, edit: LayerMetadataEdit): Uint8Array {
  const [first, ...rest] = pkg.entries;
  const text = editLayerMetadata(pkg.text!, edit);
  return writeUsdz([{ name: first!.name, data: new TextEncoder().encode(text) }, ...rest]);
}

/** The labeled package, or null when the default layer is binary (the caller records a 'store' label). */
export function embedUsdz(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array | null {
  const pkg = openUsdz(bytes);
  if (pkg.text === null) return null;
  return repackUsdzWithLayer(pkg, {
    removeKeys: (key) => isAigcKey(key) || key === USDZ_SHENBI_KEY,
    addStrings: [
      { key: USDZ_AIGC_KEY, value: aigcJson(payload.aigc) },
      { key: USDZ_SHENBI_KEY, value: shenbiJson(payload) },
    ],
  });
}

export function readUsdzLabels(bytes: Uint8Array): RawFindings {
  const pkg = openUsdz(bytes);
  if (pkg.text === null) return { aigc: [], digitalSourceType: null, reproduction: null, storeOnly: USDZ_STORE_NOTE };
  const strings = readLayerMetadata(pkg.text).customStrings;
  const shenbi = strings.find((s) => s.key === USDZ_SHENBI_KEY);
  return {
    aigc: strings.filter((s) => isAigcKey(s.key)).map((s) => ({ placement: 'usdz-layer-data' as const, value: s.value })),
    ...parseShenbiJson(shenbi === undefined ? null : shenbi.value),
  };
}
