import { isBindingRef, type PipelineSpec, type RetryPolicy } from '../core/pipeline.ts';
import type { StepDefinition, StepInputs, StepOutputs } from '../core/step.ts';
import { resolveRetryPolicy } from './backoff.ts';
import { DEFAULT_ENGINE } from './engine-limits.ts';
import type { StepRegistry } from './step-registry.ts';
import { INPUTS_REF, type ValidatedPipeline } from './validate-pipeline.ts';

/** Where one step input comes from, decided once per pipeline instead of per job. */
export type PlannedBinding =
  | { readonly input: string; readonly from: 'literal'; readonly value: unknown }
  | { readonly input: string; readonly from: 'input'; readonly name: string }
  | { readonly input: string; readonly from: 'step'; readonly stepId: string; readonly output: string };

export interface PlannedStep {
  readonly id: string;
  readonly definition: StepDefinition;
  readonly bindings: readonly PlannedBinding[];
  /** Step inputs left unbound whose port has a default. */
  readonly defaults: ReadonlyArray<readonly [string, unknown]>;
  readonly dependsOn: readonly string[];
  readonly dependents: readonly string[];
  /** Inputs that carry artifact ids: provenance parents, cache keys by content. */
  readonly artifactInputs: readonly string[];
  readonly retry: RetryPolicy;
  readonly engine: string;
  readonly cacheable: boolean;
}

/** A validated pipeline compiled for execution: steps by id, order, output bindings. */
export interface ExecutionPlan {
  readonly spec: PipelineSpec;
  readonly order: readonly string[];
  readonly steps: ReadonlyMap<string, PlannedStep>;
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly stepId: string; readonly output: string }>;
}

/** Requires a pipeline that passed validatePipeline against the same registry. */
export function compilePlan(validated: ValidatedPipeline, registry: StepRegistry): ExecutionPlan {
  const { spec, order } = validated;
  const dependents = new Map<string, string[]>();
  const steps = new Map<string, PlannedStep>();
  for (const node of spec.steps) {
    const definition = registry.get(node.uses);
    const bindings: PlannedBinding[] = [];
    const dependsOn = new Set<string>();
    for (const [input, value] of Object.entries(node.with)) {
      if (!isBindingRef(value)) {
        bindings.push({ input, from: 'literal', value });
        continue;
      }
      const [source = '', port = ''] = value.$from.split('.');
      if (source === INPUTS_REF) {
        bindings.push({ input, from: 'input', name: port });
      } else {
        bindings.push({ input, from: 'step', stepId: source, output: port });
        dependsOn.add(source);
      }
    }
    for (const dep of dependsOn) dependents.set(dep, [...(dependents.get(dep) ?? []), node.id]);
    const defaults = Object.entries(definition.inputs)
      .filter(([name, port]) => !(name in node.with) && port.default !== undefined)
      .map(([name, port]) => [name, port.default] as const);
    steps.set(node.id, {
      id: node.id,
      definition,
      bindings,
      defaults,
      dependsOn: [...dependsOn],
      dependents: [],
      artifactInputs: Object.entries(definition.inputs)
        .filter(([, port]) => port.type === 'artifact')
        .map(([name]) => name),
      retry: resolveRetryPolicy(definition.retry, node.retry),
      engine: definition.engine ?? DEFAULT_ENGINE,
      cacheable: definition.cacheable ?? true,
    });
  }
  for (const [id, step] of steps) steps.set(id, { ...step, dependents: dependents.get(id) ?? [] });
  const outputs = Object.entries(spec.outputs).map(([name, binding]) => {
    const [stepId = '', output = ''] = binding.$from.split('.');
    return { name, stepId, output };
  });
  return { spec, order, steps, outputs };
}

/**
 * A step's inputs for one job: bindings resolved against the job input and finished
 * steps' outputs, then port defaults for anything still absent. Absent optional values
 * are left out rather than passed as undefined.
 */
export function resolveStepInputs(step: PlannedStep, jobInput: Readonly<Record<string, unknown>>, outputs: ReadonlyMap<string, StepOutputs>): StepInputs {
  const inputs: StepInputs = {};
  for (const binding of step.bindings) {
    let value: unknown;
    if (binding.from === 'literal') value = binding.value;
    else if (binding.from === 'input') value = jobInput[binding.name];
    else value = outputs.get(binding.stepId)?.[binding.output];
    if (value === undefined) {
      const fallback = step.definition.inputs[binding.input]?.default;
      if (fallback !== undefined) inputs[binding.input] = fallback;
    } else {
      inputs[binding.input] = value;
    }
  }
  for (const [name, value] of step.defaults) inputs[name] = value;
  return inputs;
}
