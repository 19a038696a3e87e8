import type { Context } from 'hono';
import type { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';

/** The route's body as JSON, validated: 415 for another content type, 400 for malformed JSON or a bad field (with its path). */
export async function readJsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ShenbiError('UNSUPPORTED_MEDIA_TYPE', `Expected Content-Type: application/json, got "${type || '(none)'}".`);
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('INVALID_INPUT', `Malformed JSON body: ${(error as Error).message}`, { cause: error });
  }
  return parseOrThrow(schema, value, 'body');
}
