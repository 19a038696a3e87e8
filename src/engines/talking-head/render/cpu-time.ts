import { readFileSync } from 'node:fs';

/**
 * CPU time from Linux /proc, ms (USER_HZ is 100 there: 10 ms ticks). On a loaded machine wall
 * time mostly measures the wait for a core, so the renderer's timings report CPU time where
 * it can; undefined where /proc is missing (the callers then fall back to wall time).
 */
function ticks(path: string, fields: readonly number[]): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name start at field 3 (state); man 5 proc numbers them from 1.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const total = fields.reduce((sum, field) => sum + Number(rest[field - 3]), 0);
    return Number.isFinite(total) ? total * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** The calling thread's own CPU time (utime + stime). */
export function threadCpuMs(): number | undefined {
  return ticks('/proc/thread-self/stat', [14, 15]);
}

/** CPU time of this process's children that have exited and been reaped (cutime + cstime). */
export function childrenCpuMs(): number | undefined {
  return ticks('/proc/self/stat', [16, 17]);
}
