import type { Artifact } from '../../core/artifact.ts';
import type { PipelineSpec } from '../../core/pipeline.ts';
import type { LikenessGuard } from '../../core/step.ts';
import { requireConsent, type Consent } from './consent.ts';

/** Steps that draw a picture from words alone: what they make is no real person's likeness. */
const SYNTHESIS_STEPS: ReadonlySet<string> = new Set(['image.diffusion', 'image.cloud', 'image.card']);
/** Inputs that would carry a real picture into a synthesis step (image-to-image, a reference face). */
const REFERENCE_INPUTS = ['image', 'images', 'reference', 'mask', 'init', 'face'];

/**
 * Whether an artifact is a face no real person has: made by a text-to-image step from words
 * alone. Edits, crops and image-to-image of a photo keep the person's likeness.
 */
export function isSyntheticLikeness(artifact: Pick<Artifact, 'kind' | 'provenance'>): boolean {
  if (artifact.kind !== 'image' || !SYNTHESIS_STEPS.has(artifact.provenance.task)) return false;
  return REFERENCE_INPUTS.every((name) => artifact.provenance.inputs[name] === undefined || artifact.provenance.inputs[name] === null);
}

export interface LikenessLookup {
  /** The guard a step type declares (StepDefinition.likeness), if any. */
  guardOf(stepType: string): LikenessGuard | undefined;
  /** The artifact with this id, if it exists (the caller's ownership was checked before). */
  findArtifact(id: string): Promise<Pick<Artifact, 'kind' | 'provenance'> | undefined>;
}

const ARTIFACT_ID = /^art_[0-9a-z]+$/;

/**
 * The consent a step needs for `likeness` (a portrait reference): none for a synthetic face
 * (an artifact a text-to-image step made), else a valid consent record — GOVERNANCE_REFUSED
 * with details.reason consent.missing / consent.invalid. Returns the consent to record.
 */
export async function consentForLikeness(likeness: string, consent: unknown, guard: LikenessGuard, lookup: Pick<LikenessLookup, 'findArtifact'>): Promise<Consent | undefined> {
  const reference = likeness.trim();
  if (ARTIFACT_ID.test(reference)) {
    const artifact = await lookup.findArtifact(reference);
    if (artifact !== undefined && isSyntheticLikeness(artifact) && (consent === undefined || consent === null)) return undefined;
  }
  return requireConsent({ consent }, guard.feature);
}

/**
 * The submission check: every step of the pipeline that declares a likeness guard, with its
 * likeness given as a literal or a job input, must carry consent unless the face is
 * synthetic — refused before any job, step or artifact exists. A likeness made by an earlier
 * step of the same job is checked by the step itself when it runs (a synthesis step's output
 * needs none).
 */
export function likenessAdmission(lookup: LikenessLookup): (spec: PipelineSpec, input: Record<string, unknown>) => Promise<void> {
  return async (spec, input) => {
    for (const step of spec.steps) {
      const guard = lookup.guardOf(step.uses);
      if (guard === undefined) continue;
      const likeness = bound(step.with?.[guard.input], input);
      if (likeness.from === 'step') {
        const producer = spec.steps.find((s) => s.id === likeness.stepId);
        if (producer !== undefined && SYNTHESIS_STEPS.has(producer.uses)) continue;
      }
      if (likeness.from === 'value' && typeof likeness.value !== 'string') continue;
      const consent = bound(step.with?.consent, input);
      const consentValue = consent.from === 'value' ? consent.value : undefined;
      if (likeness.from === 'value') await consentForLikeness(likeness.value as string, consentValue, guard, lookup);
      else requireConsent({ consent: consentValue }, guard.feature);
    }
  };
}

type Bound = { from: 'value'; value: unknown } | { from: 'step'; stepId: string };

/** A `with` entry as the job will see it: a literal, a job input, or another step's output. */
function bound(value: unknown, input: Record<string, unknown>): Bound {
  if (value !== null && typeof value === 'object' && '$from' in value && typeof value.$from === 'string') {
    const [source, name] = value.$from.split('.') as [string, string];
    if (source === 'inputs') return { from: 'value', value: input[name] };
    return { from: 'step', stepId: source };
  }
  return { from: 'value', value };
}
