import type { ArtifactKind } from '../../core/artifact.ts';
import type { GovernanceHook } from '../hook.ts';
import { throwIfRefused, type Moderator } from './moderator.ts';

/** Kinds whose bytes are text a person reads. */
const TEXT_KINDS: ReadonlySet<ArtifactKind> = new Set(['text', 'code', 'json', 'subtitle']);

/**
 * Reviews generated text before it is stored: a failing text, code, JSON or subtitle
 * artifact is refused (GOVERNANCE_REFUSED), and ArtifactStore.put then writes neither
 * blob nor row. Run it first, before any hook that adds labels to the bytes. Other kinds
 * pass unchanged; it adds no labels.
 */
export function moderationHook(moderator: Moderator): GovernanceHook {
  return {
    name: 'moderation',
    async review(candidate) {
      if (moderator.enabled && moderator.config.checkOutputs && TEXT_KINDS.has(candidate.kind)) {
        const text = new TextDecoder('utf-8', { fatal: false }).decode(candidate.bytes);
        throwIfRefused(await moderator.moderate([text]), `the generated ${candidate.kind} ${candidate.name ?? candidate.id}`);
      }
      return { bytes: candidate.bytes, labels: [] };
    },
  };
}
