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
  assertJsonDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('INVALID_INPUT', `Malformed JSON body: ${(error as Error).message}`, { cause: error });
  }
  return parseOrThrow(schema, value, 'body');
}

/** Deepest nesting of arrays and objects a JSON body may have: real requests use a handful. */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses JSON nested deeper than MAX_JSON_DEPTH before it is parsed: JSON.parse copes, but
 * every recursive walk after it (validation, JSON.stringify into the store) would overflow
 * the stack. Scans the text without recursion, skipping strings.
 */
export function assertJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > max) {
        throw new ShenbiError('INVALID_INPUT', `The JSON body is nested more than ${max} levels deep.`, { details: { issues: [{ path: '(root)', message: `nested deeper than ${max} levels` }] } });
      }
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
}
