/**
 * Which C2PA action and IPTC digital source type describe an artifact: wholly generated
 * (`c2pa.created` + trainedAlgorithmicMedia) or an AI edit of media the user supplied
 * (`c2pa.edited` + compositeWithTrainedAlgorithmicMedia). The rule is the implicit label's
 * (governance/implicit/payload.ts), so the XMP/udta source type and the signed one agree.
 */
import type { Provenance } from '../../core/provenance.ts';
import { DIGITAL_SOURCE_TYPE, digitalSourceTypeFor } from '../implicit/payload.ts';

export const TRAINED_ALGORITHMIC_MEDIA: string = DIGITAL_SOURCE_TYPE.trained;
export const COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA: string = DIGITAL_SOURCE_TYPE.composite;

export type C2paActionName = 'c2pa.created' | 'c2pa.edited';

export interface SourceClassification {
  readonly action: C2paActionName;
  readonly digitalSourceType: string;
}

export function classifySource(provenance: Provenance): SourceClassification {
  const digitalSourceType = digitalSourceTypeFor(provenance);
  return { action: digitalSourceType === COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA ? 'c2pa.edited' : 'c2pa.created', digitalSourceType };
}
