/**
 * `npm run bench:cli [-- --runs N]`: how long `shenbi` takes to start. Median wall time of N
 * runs (default 7, at least 5) of `node -e 0` (the floor: Node itself), then `--version`,
 * `--help` and `tasks list`, from the compiled build (dist/node, built first when stale) and
 * from the TypeScript sources through tsx (SHENBI_FROM_SOURCE=1), with ratios to the floor.
 * Targets (issue #16): --version ≤ 0.3 s, tasks list ≤ 0.6 s on 2 quiet cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCompiledBuildFresh } from '../bin/compiled-build.js';
import { buildNode } from '../scripts/build-node.ts';

const BIN = fileURLToPath(new URL('../bin/shenbi.js', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const RUNS = Math.max(5, runsArg === -1 ? 7 : Number(process.argv[runsArg + 1]));
const TARGETS: Readonly<Record<string, number>> = { '--version': 0.3, 'tasks list': 0.6 };

const home = mkdtempSync(join(tmpdir(), 'shenbi-bench-cli-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Median seconds of RUNS runs (after one unmeasured run that warms the disk cache). */
function time(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const seconds: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env: { ...process.env, SHENBI_HOME: home, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const elapsed = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i > 0) seconds.push(elapsed);
  }
  return median(seconds);
}

const build = await buildNode();
process.stderr.write(build.built ? `compiled dist/node in ${(build.ms / 1000).toFixed(1)} s\n` : 'dist/node is up to date\n');

const floor = time(['-e', '0']);
const commands: readonly (readonly string[])[] = [['--version'], ['--help'], ['tasks', 'list']];
const rows: string[][] = [['node -e 0', floor.toFixed(3), '1.0×', '', '', '', '']];
let staleDuringRun = false;
for (const command of commands) {
  const name = command.join(' ');
  const compiled = time([BIN, ...command]);
  staleDuringRun ||= !isCompiledBuildFresh();
  const source = time([BIN, ...command], { SHENBI_FROM_SOURCE: '1' });
  const target = TARGETS[name];
  rows.push([
    `shenbi ${name}`,
    compiled.toFixed(3),
    `${(compiled / floor).toFixed(1)}×`,
    source.toFixed(3),
    `${(source / floor).toFixed(1)}×`,
    `${(source / compiled).toFixed(1)}×`,
    target === undefined ? '' : `≤ ${target} s: ${compiled <= target ? 'met' : 'missed'}`,
  ]);
}
rmSync(home, { recursive: true, force: true });

const header = ['command', 'compiled s', '/floor', 'tsx s', '/floor', 'tsx/compiled', 'target'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
process.stdout.write(`median wall time of ${RUNS} runs, ${process.version}, ${(await import('node:os')).availableParallelism()} cores, load ${(await import('node:os')).loadavg()[0]?.toFixed(2)}\n`);
process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
if (staleDuringRun) process.stdout.write('warning: a source changed during the run, so some "compiled" runs ran from source; run it again\n');
