import type { PortType } from '../core/pipeline.ts';

/**
 * Checks of values against port types, hand-written rather than zod because the runner
 * checks every step output of every job on its hot path.
 */

/** Artifact values are artifact ids (`art_…`). */
const ARTIFACT_ID = /^art_[0-9a-z]+$/;

export function isArtifactId(value: unknown): value is string {
  return typeof value === 'string' && ARTIFACT_ID.test(value);
}

/** Returns why `value` does not fit `type`, or undefined when it does. */
export function portValueProblem(type: PortType, value: unknown): string | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : `expected a string, got ${describe(value)}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `expected a finite number, got ${describe(value)}`;
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : `expected an integer, got ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected a boolean, got ${describe(value)}`;
    case 'json':
      return isJsonValue(value) ? undefined : `expected a JSON value, got ${describe(value)}`;
    case 'artifact':
      return isArtifactId(value) ? undefined : `expected an artifact id (art_…), got ${describe(value)}`;
  }
}

/**
 * Whether an output of type `from` may feed an input of type `to`: same type, any type
 * into `json`, and integers into numbers. Artifact ids are strings, but not interchangeable.
 */
export function portTypesCompatible(from: PortType, to: PortType): boolean {
  return from === to || to === 'json' || (from === 'integer' && to === 'number');
}

function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((item) => isJsonValue(item, depth + 1));
  }
  return false;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value}`;
}
