import { openUsdz, repackUsdzWithLayer } from '../implicit/usdz.ts';
import type { ExplicitResult } from './text.ts';

/** The customLayerData key that holds the wording beside `doc` (the key glTF uses in asset.extras). */
export const USDZ_EXPLICIT_KEY = 'aigcExplicitLabel';

/**
 * USDZ (AR Quick Look and other USD viewers): the wording goes first in the default layer's
 * `doc` metadata, which USD tools show as the layer's documentation (an earlier doc follows
 * it), and as `aigcExplicitLabel` in customLayerData for viewers that overlay it on the start
 * view. A binary (.usdc) default layer is not rewritten: the wording stays beside the file
 * (a `sidecar` record), as for STL. The geometry is untouched.
 */
export function labelUsdz(bytes: Uint8Array, wording: string): ExplicitResult {
  const pkg = openUsdz(bytes);
  if (pkg.text === null) {
    return { bytes, record: { type: 'aigc-explicit', placement: 'sidecar', value: { wording, reason: "the USDZ's default layer is binary USD (.usdc), which Shenbi does not rewrite" } } };
  }
  const out = repackUsdzWithLayer(pkg, {
    removeKeys: (key) => key === USDZ_EXPLICIT_KEY,
    addStrings: [{ key: USDZ_EXPLICIT_KEY, value: wording }],
    doc: (existing) => {
      const rest = existing === null ? '' : existing.startsWith(wording) ? existing.slice(wording.length).trimStart() : existing;
      return rest === '' ? wording : `${wording}\n${rest}`;
    },
  });
  return { bytes: out, record: { type: 'aigc-explicit', placement: 'usdz-layer-doc', value: { wording, display: 'start-view-overlay' } } };
}
