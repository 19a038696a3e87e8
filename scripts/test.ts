// `npm test`'s runner: every test file, three at a time (most files wait on child processes,
// servers, Chromium and ffmpeg: on a quiet 2-core machine one at a time took ~19 min, two
// ~13 min before 3D and motion landed), then the files that measure time, alone, so that no
// neighbour's work ends up in their measurements. Extra arguments go to `node --test` (e.g. a
// file list); FILES_AT_ONCE overrides the three.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Files that assert wall-clock bounds (event-loop stalls, latency percentiles, ms budgets). */
export const TIMED_FILES = [
  'test/server/event-loop.test.ts',
  'test/engines/quickjs-sandbox-limits.test.ts',
  'test/governance/implicit-labels-text.test.ts',
  'test/governance/explicit-image.test.ts',
];

function run(files: string[], concurrency: number): number {
  if (files.length === 0) return 0;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

/** The suite: every test/<layer>/<name>.test.ts (Node 20 has no fs glob). */
function suiteFiles(): string[] {
  return readdirSync(join(ROOT, 'test'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => readdirSync(join(ROOT, 'test', dir.name)).filter((name) => name.endsWith('.test.ts')).map((name) => `test/${dir.name}/${name}`))
    .sort();
}

const chosen = process.argv.slice(2);
const all = chosen.length > 0 ? chosen : suiteFiles();
const missing = TIMED_FILES.filter((file) => chosen.length === 0 && !all.includes(file));
if (missing.length > 0) {
  console.error(`scripts/test.ts names timed test files that do not exist: ${missing.join(', ')}`);
  process.exit(1);
}
const timed = all.filter((file) => TIMED_FILES.includes(file.replace(/^\.\//, '')));
const rest = all.filter((file) => !timed.includes(file));
const restStatus = run(rest, Math.max(1, Number(process.env.FILES_AT_ONCE ?? 3) || 3));
const timedStatus = run(timed, 1);
process.exit(restStatus !== 0 ? restStatus : timedStatus);
