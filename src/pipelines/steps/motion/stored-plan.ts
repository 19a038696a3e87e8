import { ShenbiError } from '../../../core/errors.ts';
import type { StepContext } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { actionPlanSchema, type ActionPlan } from '../../../engines/motion/action-plan.ts';

const ARTIFACT_ID = /^art_[A-Za-z0-9_-]+$/;

/** A `plan` input read back: the plan, and the artifact it came from (a parent of the motion). */
export interface PlanInput {
  plan: ActionPlan;
  artifactId: string | undefined;
}

/**
 * The `plan` input: an art_ id of a stored action plan (one this step stored, or an edited copy)
 * or the JSON itself. A stored plan carries its implicit AIGC label as a top-level "AIGC" member
 * (governance adds it to every JSON artifact); that is not part of the plan.
 */
export async function readPlanInput(ctx: Pick<StepContext, 'readArtifact'>, value: string): Promise<PlanInput> {
  const trimmed = value.trim();
  let artifactId: string | undefined;
  let text = trimmed;
  if (ARTIFACT_ID.test(trimmed)) {
    artifactId = trimmed;
    const { artifact, bytes } = await ctx.readArtifact(trimmed);
    if (!artifact.mimeType.startsWith('application/json') && artifact.kind !== 'json') {
      throw new ShenbiError('INVALID_INPUT', `plan: ${trimmed} is a ${artifact.kind} artifact (${artifact.mimeType}), not an action plan JSON.`);
    }
    text = bytes.toString('utf8');
  } else if (!trimmed.startsWith('{')) {
    throw new ShenbiError('INVALID_INPUT', 'plan must be an artifact id (art_…) of a stored action plan, or the plan as a JSON object.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('INVALID_INPUT', `plan${artifactId ? ` ${artifactId}` : ''} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const key of Object.keys(parsed)) if (key.toUpperCase() === 'AIGC') delete (parsed as Record<string, unknown>)[key];
  }
  return { plan: parseOrThrow(actionPlanSchema, parsed, 'action plan'), artifactId };
}
