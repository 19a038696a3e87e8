import { ShenbiError } from '../../core/errors.ts';
import type { GovernanceHook } from '../hook.ts';
import { embedImplicitLabelOffThread } from './off-thread.ts';
import { produceIdFor } from '../produce-id.ts';
import { AIGC_VALUE_PATTERN, implicitLabelPayloadFor } from './payload.ts';

export interface ImplicitLabelHookOptions {
  /** ContentProducer: the operator's TC260 service-provider code (printable ASCII, no spaces). */
  producer: string;
}

/**
 * The default labeling policy: every artifact gets its AIGC implicit label (ProduceID derived
 * from the content: see produce-id.ts), IPTC digital
 * source type and reproduction record embedded in its own container before it is stored,
 * and the same three recorded with the artifact under the placement actually used ('store'
 * when the format has no carrier). Compose explicit marks before it and C2PA signing after
 * it: any byte changed after signing breaks the C2PA hash.
 */
export function implicitLabelHook(options: ImplicitLabelHookOptions): GovernanceHook {
  if (options.producer === '' || !AIGC_VALUE_PATTERN.test(options.producer)) {
    throw new ShenbiError('CONFIG_INVALID', `The producer "${options.producer}" cannot go into an AIGC label: it must be printable ASCII without spaces, " or \\.`, {
      details: { producer: options.producer },
      hint: 'Set producer in the config to your 27-character TC260 service-provider code (e.g. 001191110102MACQD9K64010000).',
    });
  }
  return {
    name: 'aigc-implicit',
    async review(candidate) {
      const produceId = produceIdFor(candidate.bytes, candidate.mimeType, options.producer);
      const payload = implicitLabelPayloadFor(produceId, options.producer, candidate.provenance);
      const embedded = await embedImplicitLabelOffThread(candidate.bytes, candidate.mimeType, payload, { move: candidate.bytesMovable === true });
      const placement = embedded.placement;
      return {
        bytes: embedded.bytes,
        labels: [
          { type: 'aigc-implicit', placement, value: payload.aigc },
          { type: 'iptc-digital-source-type', placement, value: payload.digitalSourceType },
          { type: 'reproduction', placement, value: payload.reproduction },
        ],
      };
    },
  };
}
