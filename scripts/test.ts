// `npm test`'s runner: every test file, three at a time (most files wait on child processes,
// servers, Chromium and ffmpeg: on a quiet 2-core machine one at a time took ~19 min, two
// ~13 min before 3D and motion landed), the longest files first so that no long file starts
// last and runs on alone, then the files that measure time, alone, so that no neighbour's work
// ends up in their measurements. Extra arguments are test files to run instead of all;
// FILES_AT_ONCE overrides the three. It drives node:test's run() rather than `node --test`,
// because `node --test` sorts its files by name and so cannot start the longest first.
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Files that assert wall-clock bounds (event-loop stalls, latency percentiles, ms budgets). */
export const TIMED_FILES = [
  'test/server/event-loop.test.ts',
  'test/engines/quickjs-sandbox-limits.test.ts',
  'test/governance/implicit-labels-text.test.ts',
  'test/governance/explicit-image.test.ts',
  // Background refreshes on a 500 ms timer: a starved event loop would fire them late.
  'test/server/key-presence.test.ts',
];

/**
 * The files that took longest in session 10's whole-suite run (on a busy machine, so the order
 * is rough), longest first: they start first, and the many short files fill the other lanes
 * around them. Only the order depends on this list; a file missing from it still runs, after
 * these. The run ends by printing the slowest files, to keep this list true.
 */
export const LONGEST_FIRST = [
  'test/docs/readme.test.ts',
  'test/cli/video-cli.test.ts',
  'test/server/chat-context-fit.test.ts',
  'test/cli/text-cli.test.ts',
  'test/server/crash-recovery.test.ts',
  'test/engines/llama-cpp-context-fit.test.ts',
  'test/governance/verify-all.test.ts',
  'test/cli/music-cli.test.ts',
  'test/server/cli-and-static.test.ts',
  'test/engines/vad-whisper.test.ts',
  'test/cli/cli.test.ts',
  'test/engines/scene3d-build.test.ts',
  'test/engines/scene3d-library.test.ts',
  'test/cli/speech-cli.test.ts',
  'test/server/code-sandbox.test.ts',
  'test/engines/piper.test.ts',
  'test/engines/espeak.test.ts',
  'test/engines/llama-cpp.test.ts',
  'test/cli/npc-cli.test.ts',
  'test/engines/cloud-video-queued.test.ts',
  'test/engines/llama-cpp-chat.test.ts',
  'test/engines/scene3d-render.test.ts',
  'test/engines/llama-cpp-prompt-cache.test.ts',
  'test/server/disk-full-server.test.ts',
  'test/server/delete-artifacts.test.ts',
  'test/cli/reclaim-cli.test.ts',
  'test/engines/espeak-phonemes.test.ts',
  'test/engines/align.test.ts',
  'test/cli/startup.test.ts',
  'test/engines/provider-faults.test.ts',
  'test/server/auth.test.ts',
];

/** The suite: every test/<layer>/<name>.test.ts (Node 20 has no fs glob). */
function suiteFiles(): string[] {
  return readdirSync(join(ROOT, 'test'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) => readdirSync(join(ROOT, 'test', dir.name)).filter((name) => name.endsWith('.test.ts')).map((name) => `test/${dir.name}/${name}`))
    .sort();
}

/** The longest files first (in LONGEST_FIRST's order), then the rest by name. */
export function scheduled(files: readonly string[]): string[] {
  const rank = (file: string) => {
    const at = LONGEST_FIRST.indexOf(file);
    return at === -1 ? LONGEST_FIRST.length : at;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** How long each file took, start to end of its process (seconds), for the closing summary. */
const fileSeconds = new Map<string, number>();

/** Runs the files `concurrency` at a time in this order, reporting as `node --test` would; resolves false when a test failed. */
async function runFiles(files: string[], concurrency: number): Promise<boolean> {
  if (files.length === 0) return true;
  let passed = true;
  // The children get this process's --import tsx (run() passes execArgv on).
  const stream = run({ files: files.map((file) => resolve(ROOT, file)), concurrency });
  stream.on('test:fail', (failure: { todo?: string | boolean }) => {
    if (failure.todo === undefined || failure.todo === false) passed = false;
  });
  // A file's own test (named by its path) completes when its process ends.
  stream.on('test:complete', (done: { name: string; file?: string; nesting: number; details: { duration_ms: number } }) => {
    if (done.nesting === 0 && done.name === done.file) fileSeconds.set(relative(ROOT, done.file), done.details.duration_ms / 1000);
  });
  const report = process.stdout.isTTY ? stream.compose(new spec()) : stream.compose(tap);
  for await (const chunk of report) process.stdout.write(chunk as string | Uint8Array);
  return passed;
}

const chosen = process.argv.slice(2).map((file) => file.replace(/^\.\//, ''));
const flags = chosen.filter((arg) => arg.startsWith('-'));
if (flags.length > 0) {
  console.error(`scripts/test.ts takes test files only, not ${flags.join(' ')} (run node --import tsx --test … for node's own options)`);
  process.exit(2);
}
const all = chosen.length > 0 ? chosen : suiteFiles();
const named = chosen.length > 0 ? [] : [...TIMED_FILES, ...LONGEST_FIRST];
const missing = named.filter((file) => !all.includes(file));
if (missing.length > 0) {
  console.error(`scripts/test.ts names test files that do not exist: ${missing.join(', ')}`);
  process.exit(1);
}
const timed = all.filter((file) => TIMED_FILES.includes(file));
const rest = scheduled(all.filter((file) => !timed.includes(file)));
const restPassed = await runFiles(rest, Math.max(1, Number(process.env.FILES_AT_ONCE ?? 3) || 3));
const timedPassed = await runFiles(timed, 1);
const slowest = [...fileSeconds].sort((a, b) => b[1] - a[1]).slice(0, 30);
process.stderr.write(`slowest files (seconds; LONGEST_FIRST in scripts/test.ts starts these first):\n${slowest.map(([file, seconds]) => `${seconds.toFixed(1).padStart(7)}  ${file}`).join('\n')}\n`);
process.exit(restPassed && timedPassed ? 0 : 1);
