import { createHash } from 'node:crypto';
import type { ExecutionPlan } from './execution-plan.ts';

/**
 * The model a job loads first, as a short id for queue names (`m` + 16 hex digits of the
 * step's engine and model name), or undefined when no step names one (StepDefinition.modelInput)
 * or the model comes from an earlier step's output (unknown until it runs), or it is a cloud
 * model (`provider:model`, nothing to load). An absent or null model is the engine's
 * configured default, which every worker of a deployment shares.
 */
export function modelAffinityOf(plan: ExecutionPlan, input: Readonly<Record<string, unknown>>): string | undefined {
  for (const id of plan.order) {
    const step = plan.steps.get(id);
    const port = step?.definition.modelInput;
    if (step === undefined || port === undefined) continue;
    const binding = step.bindings.find((each) => each.input === port);
    let model: unknown;
    if (binding === undefined) model = step.defaults.find(([name]) => name === port)?.[1];
    else if (binding.from === 'literal') model = binding.value;
    else if (binding.from === 'input') model = input[binding.name];
    else continue;
    if (model !== undefined && model !== null && typeof model !== 'string') continue;
    // `provider:model` is a cloud model: nothing is loaded, any worker calls it as fast.
    if (typeof model === 'string' && /^[^:]{2,}:/.test(model)) continue;
    return `m${createHash('sha256').update(`${step.engine}\u0000${model ?? ''}`).digest('hex').slice(0, 16)}`;
  }
  return undefined;
}
