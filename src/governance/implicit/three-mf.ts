import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import { editRootMetadata, openThreeMf, repackThreeMf, rootMetadata } from './three-mf-package.ts';
import type { RawFindings } from './types.ts';
import { SHENBI_NS, TC260_NS } from './xmp.ts';

/**
 * 3MF: the model part's root metadata `TC260:AIGC` (the seven keys, as in XMP) and
 * `shenbi:Reproduction` (source type and reproduction record), both preserve="1" so slicers
 * that rewrite the model keep them. The namespaces are those of the XMP carrier.
 */
const AIGC_NAME = 'TC260:AIGC';
const SHENBI_NAME = 'shenbi:Reproduction';

const isAigcName = (name: string): boolean => /(?:^|:)aigc$/i.test(name);

export function embedThreeMf(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const pkg = openThreeMf(bytes);
  const xml = editRootMetadata(pkg.modelXml, {
    remove: (name) => isAigcName(name) || name === SHENBI_NAME,
    add: [
      { name: AIGC_NAME, value: aigcJson(payload.aigc) },
      { name: SHENBI_NAME, value: shenbiJson(payload) },
    ],
    namespaces: { TC260: TC260_NS, shenbi: SHENBI_NS },
  });
  return repackThreeMf(pkg, xml);
}

export function readThreeMf(bytes: Uint8Array): RawFindings {
  const metadata = rootMetadata(openThreeMf(bytes).modelXml);
  const shenbi = metadata.find((m) => m.name === SHENBI_NAME);
  return {
    aigc: metadata.filter((m) => isAigcName(m.name)).map((m) => ({ placement: '3mf-metadata' as const, value: m.value })),
    ...parseShenbiJson(shenbi === undefined ? null : shenbi.value),
  };
}
