import { ERROR_CODES, toShenbiError } from '../core/errors.ts';
import { layoutTable, terminalWidth } from './table-layout.ts';

/** How a command should print: machine-readable JSON, or text for people. */
export interface OutputMode {
  json: boolean;
  quiet: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/**
 * A plain aligned table; columns sized to their widest cell (CJK counted as two). With
 * `fit`, no wider than the terminal: the shrink columns (default the last) are cut with "…".
 */
export function printTable(
  headers: string[],
  rows: (string | number | null | undefined)[][],
  options: { fit?: boolean; shrinkColumns?: number[] } = {},
): void {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const maxWidth = options.fit === true ? terminalWidth() : Number.POSITIVE_INFINITY;
  for (const line of layoutTable(headers, cells, { maxWidth, ...(options.shrinkColumns === undefined ? {} : { shrinkColumns: options.shrinkColumns }) })) printLine(line);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.round(s % 60)
    .toString()
    .padStart(2, '0')}s`;
}

/**
 * Prints an error with its stable code (and hint) and returns the exit status to use.
 * With --json the error goes to stdout as `{ "error": { code, message, ... } }`.
 */
export function reportError(error: unknown, mode: Pick<OutputMode, 'json'>): number {
  const typed = toShenbiError(error);
  if (mode.json) {
    printJson({ error: typed.toJSON() });
  } else {
    process.stderr.write(`error[${typed.code}]: ${typed.message}\n`);
    if (typed.hint !== undefined) process.stderr.write(`  hint: ${typed.hint}\n`);
    if (typed.code === 'INTERNAL' && process.env.SHENBI_DEBUG && typed.cause instanceof Error) {
      process.stderr.write(`${typed.cause.stack ?? ''}\n`);
    }
  }
  return ERROR_CODES[typed.code].exit;
}
