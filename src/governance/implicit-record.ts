import { buildAigcLabel } from './aigc.ts';
import type { GovernanceHook } from './hook.ts';

/**
 * The foundation's default policy: every artifact gets its AIGC implicit label and IPTC
 * source type recorded with it in the store. Embedding labels into each container format
 * (XMP, udta, ID3, RIFF, C2PA) and explicit marks are added by the labeling hooks that
 * compose in front of this one.
 */
export function implicitLabelRecord(producer: string): GovernanceHook {
  return {
    name: 'aigc-record',
    async review(candidate) {
      return {
        bytes: candidate.bytes,
        labels: [
          { type: 'aigc-implicit', placement: 'store', value: buildAigcLabel(candidate.id, producer) },
          {
            type: 'iptc-digital-source-type',
            placement: 'store',
            value: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
          },
        ],
      };
    },
  };
}
