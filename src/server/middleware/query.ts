import type { Context } from 'hono';
import type { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';

/** The route's query string, validated: a bad or unknown parameter is 400 INVALID_INPUT with its issues, never a raw ZodError (500). */
export function readQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  return parseOrThrow(schema, c.req.query(), 'query');
}
