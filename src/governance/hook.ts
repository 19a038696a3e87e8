import type { ArtifactKind, LabelRecord } from '../core/artifact.ts';
import type { Provenance } from '../core/provenance.ts';

/** An artifact on its way into the store, before anyone can read it. */
export interface ArtifactCandidate {
  /** Already assigned: implicit labels carry it (the AIGC `ProduceID`). */
  readonly id: string;
  readonly kind: ArtifactKind;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
  readonly name: string | null;
  readonly provenance: Provenance;
  /** An explicit label the producer already rendered into the bytes (a composer's drawtext). */
  readonly explicitLabel?: LabelRecord;
  /**
   * True when nothing outside governance holds these bytes (an earlier hook made them, or the
   * producer gave them up: ArtifactDraft.bytesMovable): a hook may move them to another thread
   * instead of copying them (20 MB cost ~60 ms to copy), and must then return bytes of its
   * own, since these are gone.
   */
  readonly bytesMovable?: boolean;
}

/** What governance lets through: possibly rewritten bytes (labels embedded) and the labels it applied. */
export interface GovernanceDecision {
  readonly bytes: Uint8Array;
  readonly labels: LabelRecord[];
}

/**
 * The single seam every artifact write passes through (ArtifactStore.put calls it before any
 * byte reaches disk). It may add labels, rewrite the bytes, or refuse by throwing a
 * ShenbiError with code GOVERNANCE_REFUSED, in which case nothing is stored.
 */
export interface GovernanceHook {
  readonly name: string;
  review(candidate: ArtifactCandidate): Promise<GovernanceDecision>;
}

/** Runs hooks in order, each seeing the previous one's bytes; labels accumulate. */
export function composeGovernance(...hooks: GovernanceHook[]): GovernanceHook {
  return {
    name: hooks.map((h) => h.name).join('+'),
    async review(candidate) {
      let bytes = candidate.bytes;
      let movable = candidate.bytesMovable === true;
      const labels: LabelRecord[] = [];
      for (const hook of hooks) {
        const decision = await hook.review({ ...candidate, bytes, bytesMovable: movable });
        // New bytes from a hook (not a view of the caller's, unless the caller gave those up) are governance's own from here on.
        if (decision.bytes !== bytes) movable = candidate.bytesMovable === true || decision.bytes.buffer !== candidate.bytes.buffer;
        bytes = decision.bytes;
        labels.push(...decision.labels);
      }
      return { bytes, labels };
    },
  };
}
