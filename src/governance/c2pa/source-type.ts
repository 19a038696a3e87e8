/**
 * Which IPTC digital source type and C2PA action describe an artifact: wholly generated
 * (`c2pa.created` + trainedAlgorithmicMedia) or an AI edit of media the user supplied
 * (`c2pa.edited` + compositeWithTrainedAlgorithmicMedia).
 */
import { isAbsolute } from 'node:path';
import type { Provenance } from '../../core/provenance.ts';

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
export const TRAINED_ALGORITHMIC_MEDIA = `${IPTC}trainedAlgorithmicMedia`;
export const COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = `${IPTC}compositeWithTrainedAlgorithmicMedia`;

export type C2paActionName = 'c2pa.created' | 'c2pa.edited';

export interface SourceClassification {
  readonly action: C2paActionName;
  readonly digitalSourceType: string;
}

/** A step input naming user media: a file path or an http(s) URL (artifact ids are outputs, not user media). */
function isUserMediaReference(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (/^https?:\/\/\S+$/i.test(value)) return true;
  return isAbsolute(value) && value.length < 4096 && !/[\r\n]/.test(value);
}

/**
 * True when the artifact was made from media the user brought in. Steps may say so outright
 * with `parameters.userMedia` (true or a list of references); otherwise a top-level input that
 * is a file path or a URL counts (that is how steps/media-input.ts receives user media).
 */
export function editsUserMedia(provenance: Provenance): boolean {
  const declared = provenance.parameters['userMedia'];
  if (declared === true || (Array.isArray(declared) && declared.length > 0)) return true;
  for (const value of Object.values(provenance.inputs)) {
    if (isUserMediaReference(value)) return true;
    if (Array.isArray(value) && value.some(isUserMediaReference)) return true;
  }
  return false;
}

export function classifySource(provenance: Provenance): SourceClassification {
  return editsUserMedia(provenance)
    ? { action: 'c2pa.edited', digitalSourceType: COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA }
    : { action: 'c2pa.created', digitalSourceType: TRAINED_ALGORITHMIC_MEDIA };
}
