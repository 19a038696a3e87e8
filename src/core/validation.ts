import type { z } from 'zod';
import { ShenbiError, type ErrorCode } from './errors.ts';

/** One zod issue as users see it: where, and what is wrong. */
export interface InputIssue {
  path: string;
  message: string;
}

export function formatIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Parses a value at a boundary; on failure throws a typed error whose message lists every
 * path, e.g. `input.seed: expected number, received string`.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
  code: ErrorCode = 'INVALID_INPUT',
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = formatIssues(result.error);
  const lines = issues.map((i) => `  ${what}.${i.path}: ${i.message}`.replace('.(root)', ''));
  throw new ShenbiError(code, `Invalid ${what}:\n${lines.join('\n')}`, { details: { issues } });
}
