// Runs a bench's anchor commands (the raw tools Shenbi is compared with) from a small process of
// its own. Why: spawning from the bench process, which holds a warm Shenbi, forks that big
// process, and fork write-protects every page it has written; Shenbi's next job then takes a
// page fault on each page it writes again (measured here: a 75 s speech master 120 -> 320 ms
// right after an espeak-ng run). That is a cost of how the bench runs, not of Shenbi (a
// server's speech job spawns nothing), and it also slowed the anchor (forking the big process).
//
// Protocol (IPC): -> { id, file, args }   <- { id, ms, cpuMs, error? }
//   ms: wall time of the whole command, as seen here; cpuMs: its user + system CPU, read from
//   this process's reaped-children times in /proc (clock ticks of 10 ms).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICK_MS = 10;
function reapedCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

process.on('message', ({ id, file, args }) => {
  const cpu = reapedCpuMs();
  const started = performance.now();
  execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (error) => {
    const ms = performance.now() - started;
    process.send({ id, ms, cpuMs: reapedCpuMs() - cpu, ...(error ? { error: error.message } : {}) });
  });
});
process.on('disconnect', () => process.exit(0));
