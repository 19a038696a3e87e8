import { createHash } from 'node:crypto';
import type { StepInputs } from '../core/step.ts';

/** Bumped if the key's layout changes, so old entries stop matching. */
const KEY_FORMAT = 1;

export interface CacheKeyParts {
  stepType: string;
  stepVersion: string;
  /** Resolved inputs (literal parameters included), artifact inputs replaced by `{ sha256 }`. */
  inputs: StepInputs;
  /** The step's cacheSalt (e.g. the model file's hash); undefined when it has none. */
  salt: unknown;
}

/**
 * sha256 of a canonical JSON encoding (object keys sorted at every level), so equal
 * content gives equal keys whatever order the keys were written in.
 */
export function cacheKey(parts: CacheKeyParts): string {
  const text = canonicalJson([KEY_FORMAT, parts.stepType, parts.stepVersion, parts.inputs, parts.salt ?? null]);
  return createHash('sha256').update(text).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      if (value instanceof Uint8Array) return JSON.stringify({ $bytes: createHash('sha256').update(value).digest('hex') });
      const keys = Object.keys(value).sort();
      const record = value as Record<string, unknown>;
      const fields: string[] = [];
      for (const key of keys) {
        if (record[key] === undefined) continue;
        fields.push(`${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      }
      return `{${fields.join(',')}}`;
    }
    default:
      return 'null';
  }
}
