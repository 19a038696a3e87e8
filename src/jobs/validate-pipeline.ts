import { ShenbiError } from '../core/errors.ts';
import { bindingRefSchema, pipelineSpecSchema, type PipelineSpec, type PortType } from '../core/pipeline.ts';
import { formatIssues } from '../core/validation.ts';
import { portTypesCompatible, portValueProblem } from './port-values.ts';
import type { StepRegistry } from './step-registry.ts';

export type PipelineProblemKind =
  | 'schema'
  | 'duplicate-step'
  | 'reserved-step-id'
  | 'unknown-step-type'
  | 'unknown-input'
  | 'bad-binding'
  | 'unknown-ref'
  | 'unbound-input'
  | 'type-mismatch'
  | 'unknown-output'
  | 'cycle';

/** One thing wrong with a pipeline: where (a path into the spec) and what. */
export interface PipelineProblem {
  kind: PipelineProblemKind;
  path: string;
  message: string;
}

export interface ValidatedPipeline {
  spec: PipelineSpec;
  /** Step ids in an order where every step comes after the steps it reads from. */
  order: string[];
}

/** The name pipeline inputs are addressed by in `$from` refs (`inputs.prompt`). */
export const INPUTS_REF = 'inputs';

/**
 * Checks a pipeline against the step registry without running anything and returns it
 * parsed with a topological order. On failure throws PIPELINE_INVALID whose message and
 * `details.problems` list every problem found, not just the first.
 */
export function validatePipeline(value: unknown, registry: StepRegistry): ValidatedPipeline {
  const parsed = pipelineSpecSchema.safeParse(value);
  if (!parsed.success) {
    const id = pipelineIdOf(value);
    const problems = formatIssues(parsed.error).map((issue): PipelineProblem => ({ kind: 'schema', ...issue }));
    throw invalid(id, problems);
  }
  const spec = parsed.data;
  const problems: PipelineProblem[] = [];
  const problem = (kind: PipelineProblemKind, path: string, message: string) => problems.push({ kind, path, message });

  // First occurrence of each id wins; later duplicates are reported and ignored below.
  const stepIndex = new Map<string, number>();
  spec.steps.forEach((step, i) => {
    if (step.id === INPUTS_REF) {
      problem('reserved-step-id', `steps.${i}.id`, `"${INPUTS_REF}" is reserved for pipeline inputs; rename the step`);
    } else if (stepIndex.has(step.id)) {
      problem('duplicate-step', `steps.${i}.id`, `duplicate step id "${step.id}" (first used by steps.${stepIndex.get(step.id)})`);
    } else {
      stepIndex.set(step.id, i);
    }
  });

  for (const [name, port] of Object.entries(spec.inputs)) {
    if (port.default === undefined) continue;
    const why = portValueProblem(port.type, port.default);
    if (why !== undefined) problem('type-mismatch', `inputs.${name}.default`, `default of ${port.type} input "${name}": ${why}`);
  }

  const dependsOn = new Map<string, Set<string>>();
  spec.steps.forEach((step, i) => {
    if (stepIndex.get(step.id) !== i) return;
    const deps = new Set<string>();
    dependsOn.set(step.id, deps);
    const definition = registry.find(step.uses);
    if (definition === undefined) {
      const known = registry.list().map((s) => s.type);
      problem('unknown-step-type', `steps.${i}.uses`, `step "${step.id}" uses unknown step type "${step.uses}" (known: ${known.join(', ') || 'none'})`);
    }
    for (const [name, binding] of Object.entries(step.with)) {
      const path = `steps.${i}.with.${name}`;
      const inputPort = definition?.inputs[name];
      if (definition !== undefined && inputPort === undefined) {
        const names = Object.keys(definition.inputs);
        problem('unknown-input', path, `step "${step.id}" (${step.uses}) has no input "${name}" (its inputs: ${names.join(', ') || 'none'})`);
      }
      if (!isBindingAttempt(binding)) {
        if (inputPort !== undefined) {
          const why = portValueProblem(inputPort.type, binding);
          if (why !== undefined) problem('type-mismatch', path, `literal for ${inputPort.type} input "${name}" of step "${step.id}": ${why}`);
        }
        continue;
      }
      const ref = bindingRefSchema.safeParse(binding);
      if (!ref.success) {
        problem('bad-binding', path, `a binding is exactly { "$from": "inputs.<name>" } or { "$from": "<stepId>.<output>" }`);
        continue;
      }
      const source = resolveRef(ref.data.$from, spec, registry, stepIndex);
      if (typeof source === 'string') {
        problem('unknown-ref', path, `"${ref.data.$from}" ${source}`);
        continue;
      }
      if (source.stepId !== undefined) deps.add(source.stepId);
      if (inputPort === undefined || source.type === undefined) continue;
      if (!portTypesCompatible(source.type, inputPort.type)) {
        problem(
          'type-mismatch',
          path,
          `"${ref.data.$from}" is ${article(source.type)} ${source.type} but input "${name}" of step "${step.id}" takes ${article(inputPort.type)} ${inputPort.type}`,
        );
      }
      const requiredHere = inputPort.optional !== true && inputPort.default === undefined;
      if (requiredHere && source.mayBeAbsent) {
        problem('unbound-input', path, `required input "${name}" of step "${step.id}" is bound to optional "${ref.data.$from}", which has no default`);
      }
    }
    if (definition !== undefined) {
      for (const [name, port] of Object.entries(definition.inputs)) {
        if (name in step.with || port.optional === true || port.default !== undefined) continue;
        problem('unbound-input', `steps.${i}.with.${name}`, `required ${port.type} input "${name}" of step "${step.id}" (${step.uses}) is not bound`);
      }
    }
  });

  for (const [name, binding] of Object.entries(spec.outputs)) {
    const [sourceId = '', port = ''] = binding.$from.split('.');
    const index = stepIndex.get(sourceId);
    if (index === undefined) {
      problem('unknown-output', `outputs.${name}`, `"${binding.$from}" names no step (pipeline outputs come from step outputs)`);
      continue;
    }
    const definition = registry.find(spec.steps[index]?.uses ?? '');
    if (definition !== undefined && definition.outputs[port] === undefined) {
      problem('unknown-output', `outputs.${name}`, `step "${sourceId}" has no output "${port}" (its outputs: ${Object.keys(definition.outputs).join(', ') || 'none'})`);
    }
  }

  const { order, cycle } = topologicalOrder([...stepIndex.keys()], dependsOn);
  if (cycle !== undefined) problem('cycle', 'steps', `steps form a cycle: ${cycle.join(' → ')}`);

  if (problems.length > 0) throw invalid(spec.id, problems);
  return { spec, order };
}

interface RefSource {
  stepId: string | undefined;
  type: PortType | undefined;
  /** An optional pipeline input without a default may be absent at run time. */
  mayBeAbsent: boolean;
}

/** What a `$from` ref points at, or why it points at nothing. */
function resolveRef(from: string, spec: PipelineSpec, registry: StepRegistry, stepIndex: Map<string, number>): RefSource | string {
  const [sourceId = '', port = ''] = from.split('.');
  if (sourceId === INPUTS_REF) {
    const input = spec.inputs[port];
    if (input === undefined) return `names no pipeline input (inputs: ${Object.keys(spec.inputs).join(', ') || 'none'})`;
    return { stepId: undefined, type: input.type, mayBeAbsent: input.optional === true && input.default === undefined };
  }
  const index = stepIndex.get(sourceId);
  if (index === undefined) return `names no step or pipeline input`;
  const definition = registry.find(spec.steps[index]?.uses ?? '');
  // An unknown step type is reported once, at the step; its ports cannot be checked.
  if (definition === undefined) return { stepId: sourceId, type: undefined, mayBeAbsent: false };
  const output = definition.outputs[port];
  if (output === undefined) return `names no output of step "${sourceId}" (its outputs: ${Object.keys(definition.outputs).join(', ') || 'none'})`;
  return { stepId: sourceId, type: output.type, mayBeAbsent: false };
}

/** Kahn's algorithm, stable in spec order; on a cycle, one cycle's path for the message. */
function topologicalOrder(ids: string[], dependsOn: Map<string, Set<string>>): { order: string[]; cycle?: string[] } {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of ids) {
    const deps = [...(dependsOn.get(id) ?? [])].filter((d) => dependsOn.has(d));
    remaining.set(id, deps.length);
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), id]);
  }
  const order: string[] = [];
  const ready = ids.filter((id) => remaining.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length === ids.length) return { order };
  return { order, cycle: findCycle(ids.filter((id) => (remaining.get(id) ?? 0) > 0), dependsOn) };
}

function findCycle(stuck: string[], dependsOn: Map<string, Set<string>>): string[] {
  const inStuck = new Set(stuck);
  const path: string[] = [];
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (onPath.has(id)) return [...path.slice(path.indexOf(id)), id];
    if (done.has(id)) return undefined;
    path.push(id);
    onPath.add(id);
    for (const dep of dependsOn.get(id) ?? []) {
      if (!inStuck.has(dep)) continue;
      const found = visit(dep);
      if (found !== undefined) return found;
    }
    path.pop();
    onPath.delete(id);
    done.add(id);
    return undefined;
  };
  for (const id of stuck) {
    const found = visit(id);
    // Dependencies point backwards; reverse so the cycle reads in the direction data flows.
    if (found !== undefined) return found.reverse();
  }
  return stuck;
}

/** Any object with a `$from` key is meant as a binding, and must then be a valid one. */
function isBindingAttempt(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, '$from');
}

function pipelineIdOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string') return value.id;
  return '(unnamed)';
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function invalid(pipelineId: string, problems: PipelineProblem[]): ShenbiError {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new ShenbiError('PIPELINE_INVALID', `Invalid pipeline "${pipelineId}" (${count}):\n${lines.join('\n')}`, {
    details: { pipelineId, problems },
  });
}
