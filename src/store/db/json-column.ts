import type { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';

/**
 * Reads a JSON TEXT column back through a zod schema: what comes out of the database is a
 * boundary too (another version, a manual edit). Damage is DATABASE_ERROR, not a crash later.
 */
export function readJsonColumn<T extends z.ZodType>(schema: T, text: string, what: string): z.output<T> {
  return parseOrThrow(schema, parseJsonText(text, what), `stored ${what}`, 'DATABASE_ERROR');
}

/** JSON.parse for a column whose shape the caller validates as part of a larger object. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ShenbiError('DATABASE_ERROR', `Stored ${what} is not valid JSON.`, { cause: error });
  }
}

/** Like readJsonColumn for nullable columns. */
export function readNullableJsonColumn<T extends z.ZodType>(schema: T, text: string | null, what: string): z.output<T> | null {
  return text === null ? null : readJsonColumn(schema, text, what);
}

export function writeJson(value: unknown): string {
  return JSON.stringify(value);
}
