import { ShenbiError } from '../core/errors.ts';
import type { StepDefinition, StepOutputs } from '../core/step.ts';
import { portValueProblem } from './port-values.ts';

/**
 * Checks what a step returned against its declared output ports, so a wrong value fails
 * the step that made it (ENGINE_FAILED, not retried) instead of a later step that reads it.
 */
export function checkStepOutputs(definition: StepDefinition, stepId: string, value: unknown): StepOutputs {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badOutputs(definition, stepId, [`returned ${Array.isArray(value) ? 'an array' : String(value)} instead of an object of outputs`]);
  }
  const outputs = value as StepOutputs;
  let problems: string[] | undefined;
  for (const name in outputs) {
    if (!Object.hasOwn(definition.outputs, name)) (problems ??= []).push(`"${name}": not a declared output`);
  }
  for (const name in definition.outputs) {
    const port = definition.outputs[name];
    if (port === undefined) continue;
    const item = outputs[name];
    if (item === undefined) {
      if (port.optional !== true) (problems ??= []).push(`"${name}": missing`);
      continue;
    }
    const why = portValueProblem(port.type, item);
    if (why !== undefined) (problems ??= []).push(`"${name}": ${why}`);
  }
  if (problems !== undefined) throw badOutputs(definition, stepId, problems);
  return outputs;
}

function badOutputs(definition: StepDefinition, stepId: string, problems: string[]): ShenbiError {
  return new ShenbiError('ENGINE_FAILED', `Step "${stepId}" (${definition.type}) returned invalid outputs: ${problems.join('; ')}.`, {
    details: { stepId, stepType: definition.type, problems },
    retryable: false,
  });
}
