import { ERROR_CODES, toShenbiError } from '../core/errors.ts';

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

/** A plain aligned table; columns sized to their widest cell (CJK counted as two). */
export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  for (const row of cells) {
    printLine(row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - displayWidth(cell)))).join('  ').trimEnd());
  }
}

function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += (char.codePointAt(0) ?? 0) >= 0x2e80 ? 2 : 1;
  return width;
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
