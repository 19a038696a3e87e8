import { ShenbiError } from '../core/errors.ts';
import type { PortSpec } from '../core/pipeline.ts';
import type { InputIssue } from '../core/validation.ts';
import type { ArtifactStore } from '../store/types.ts';
import { portValueProblem } from './port-values.ts';

/**
 * Validates a job's input against the pipeline's input ports: unknown names rejected,
 * required ones enforced, defaults applied, types checked, artifact inputs must exist.
 * Throws INVALID_INPUT listing every problem with its path (`input.seed`).
 */
export async function validateJobInput(
  ports: Readonly<Record<string, PortSpec>>,
  value: unknown,
  artifacts?: Pick<ArtifactStore, 'find'>,
): Promise<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput([{ path: '(root)', message: 'expected an object of named inputs' }]);
  }
  const given = value as Record<string, unknown>;
  const issues: InputIssue[] = [];
  const result: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(ports, name)) {
      issues.push({ path: name, message: `unknown input (this pipeline takes: ${Object.keys(ports).join(', ') || 'none'})` });
    }
  }
  const artifactChecks: Array<{ name: string; id: string }> = [];
  for (const [name, port] of Object.entries(ports)) {
    const raw = given[name];
    if (raw === undefined) {
      if (port.default !== undefined) result[name] = port.default;
      else if (port.optional !== true) issues.push({ path: name, message: `required ${port.type} input is missing` });
      continue;
    }
    const why = portValueProblem(port.type, raw);
    if (why !== undefined) {
      issues.push({ path: name, message: why });
      continue;
    }
    result[name] = raw;
    if (port.type === 'artifact') artifactChecks.push({ name, id: raw as string });
  }
  if (artifacts !== undefined) {
    for (const { name, id } of artifactChecks) {
      if ((await artifacts.find(id)) === undefined) issues.push({ path: name, message: `no artifact with id ${id}` });
    }
  }
  if (issues.length > 0) throw invalidInput(issues);
  return result;
}

function invalidInput(issues: InputIssue[]): ShenbiError {
  const lines = issues.map((i) => (i.path === '(root)' ? `  input: ${i.message}` : `  input.${i.path}: ${i.message}`));
  return new ShenbiError('INVALID_INPUT', `Invalid input:\n${lines.join('\n')}`, { details: { issues } });
}
