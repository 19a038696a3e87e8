import stringWidth from 'string-width';

export interface TableLayoutOptions {
  /** Widest line allowed, in terminal columns. */
  maxWidth: number;
  /** Columns that give up width (cells cut with an ellipsis) when the table is too wide, in this order; default the last. */
  shrinkColumns?: readonly number[];
  /** A shrinking column keeps at least this many terminal columns. */
  minShrinkWidth?: number;
  /** false: never move the last column onto its own lines (the rest of a stacked table). */
  stack?: boolean;
}

const GAP = '  ';
/** Narrower than this, the last column reads better on its own line under each row. */
const STACK_BELOW = 30;
const STACK_INDENT = '    ';

/**
 * Lays out an aligned text table no wider than maxWidth: column widths from the widest cell
 * (display width, so CJK counts two); when too wide the shrink columns are cut with "…", and a
 * last column left too narrow to read moves onto its own indented line under each row.
 */
export function layoutTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableLayoutOptions): string[] {
  const cells = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => stringWidth(r[i] ?? ''))));
  const shrinkable = options.shrinkColumns ?? [headers.length - 1];
  const minWidth = options.minShrinkWidth ?? 12;
  let excess = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (headers.length - 1) - options.maxWidth;
  for (const i of shrinkable) {
    const give = Math.min(Math.max(0, excess), Math.max(0, (widths[i] ?? 0) - minWidth));
    widths[i] = (widths[i] ?? 0) - give;
    excess -= give;
  }
  const last = headers.length - 1;
  const lastTooNarrow = shrinkable.includes(last) && (widths[last] ?? 0) < Math.min(STACK_BELOW, maxCell(cells, last));
  if (options.stack !== false && (excess > 0 || lastTooNarrow)) {
    return stackLastColumn(headers, rows, options);
  }
  return cells.map((row) =>
    headers
      .map((_, i) => {
        const cell = truncate(row[i] ?? '', widths[i] ?? 0);
        return i === headers.length - 1 ? cell : cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - stringWidth(cell)));
      })
      .join(GAP)
      .trimEnd(),
  );
}

/** The last column too narrow to read: each row's last cell goes on its own indented line below it. */
function stackLastColumn(headers: readonly string[], rows: readonly (readonly string[])[], options: TableLayoutOptions): string[] {
  if (headers.length < 2) return [headers, ...rows].map((row) => truncate(row[0] ?? '', options.maxWidth));
  const shrinkColumns = (options.shrinkColumns ?? []).filter((i) => i < headers.length - 1);
  const lines = layoutTable(headers.slice(0, -1), rows.map((r) => r.slice(0, -1)), { ...options, shrinkColumns, stack: false });
  const out = [lines[0] ?? ''];
  rows.forEach((row, i) => {
    out.push(lines[i + 1] ?? '');
    const below = row[headers.length - 1] ?? '';
    if (below !== '') out.push(STACK_INDENT + truncate(below, Math.max(1, options.maxWidth - STACK_INDENT.length)));
  });
  return out;
}

function maxCell(cells: readonly (readonly string[])[], column: number): number {
  return Math.max(...cells.map((r) => stringWidth(r[column] ?? '')));
}

/** Cuts text to at most `width` display columns, ending in "…" when something was cut. */
export function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return `${kept.trimEnd()}…`;
}

/** The terminal's width for stdout: its columns on a TTY, else $COLUMNS, else 80. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY === true && stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}
