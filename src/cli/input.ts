import { existsSync, readFileSync } from 'node:fs';
import { ShenbiError } from '../core/errors.ts';

/**
 * Reads `--input`: inline JSON (starts with `{`), `-` for stdin, or a path to a JSON file.
 * Errors name which of those it tried.
 */
export function readInputOption(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const trimmed = value.trim();
  let text: string;
  let source: string;
  if (trimmed.startsWith('{')) {
    text = trimmed;
    source = '--input';
  } else if (trimmed === '-') {
    text = readFileSync(0, 'utf8');
    source = 'standard input';
  } else {
    if (!existsSync(trimmed)) {
      throw new ShenbiError('INVALID_INPUT', `--input is neither JSON (starting with "{") nor an existing file: ${trimmed}`);
    }
    text = readFileSync(trimmed, 'utf8');
    source = trimmed;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ShenbiError('INVALID_INPUT', `The input in ${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ShenbiError('INVALID_INPUT', `The input in ${source} must be a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}

/** `--set key=value` pairs; values that parse as JSON (numbers, booleans, arrays) are typed. */
export function parseSetOptions(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ShenbiError('INVALID_INPUT', `--set expects key=value, got "${pair}".`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep it as a string.
    }
    out[key] = value;
  }
  return out;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
