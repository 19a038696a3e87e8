import type { StepContext } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { actionPlanSchema, type ActionPlan } from '../../../engines/motion/action-plan.ts';
import { readStoredJsonInput } from '../stored-json-input.ts';

/** A `plan` input read back: the plan, and the artifact it came from (a parent of the motion). */
export interface PlanInput {
  plan: ActionPlan;
  artifactId: string | undefined;
}

/** The `plan` input: an art_ id of a stored action plan, or the JSON itself (see readStoredJsonInput). */
export async function readPlanInput(ctx: Pick<StepContext, 'readArtifact'>, value: string): Promise<PlanInput> {
  const { json, artifactId } = await readStoredJsonInput(ctx, value, { port: 'plan', what: 'action plan', notJsonCode: 'INVALID_INPUT' });
  return { plan: parseOrThrow(actionPlanSchema, json, 'action plan'), artifactId };
}
