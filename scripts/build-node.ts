/**
 * `npm run build`: compiles src/**\/*.ts (the studio aside, Vite builds that) to JavaScript
 * with sourcemaps in dist/node/, module for module, so `shenbi` starts without transpiling.
 * Non-TypeScript files under src/ (worker entries, catalog.json) are copied beside the output,
 * and package.json too (src/version.ts reads it one folder up). Types are not checked here
 * (`npm run typecheck` does that); an unchanged build is skipped unless `--force`.
 *
 * The build stamp is removed first and written last with the fingerprint of the sources as
 * they were when the build began: an edit made during the build leaves the build stale, and
 * bin/shenbi.js then runs the sources through tsx instead. One build at a time (a lock
 * folder), since test helpers may start one while `npm test` does.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isProcessAlive } from '../src/fs/process-alive.ts';
import { BUILD_DIR, BUILD_STAMP, builtFingerprint, REPO_ROOT, sourceFingerprint } from '../bin/compiled-build.js';

const LOCK_DIR = `${BUILD_DIR}-build.lock`;
const LOCK_WAIT_MS = 180_000;
const STUDIO_SOURCES = join(REPO_ROOT, 'src', 'web');

export interface NodeBuildResult {
  /** False when the build was already fresh. */
  built: boolean;
  ms: number;
  files: number;
}

/** Builds dist/node unless it already matches the sources (or `force`). */
export async function buildNode(options: { force?: boolean } = {}): Promise<NodeBuildResult> {
  const started = performance.now();
  const release = await acquireLock();
  try {
    const fingerprint = sourceFingerprint();
    if (options.force !== true && builtFingerprint() === fingerprint) return { built: false, ms: performance.now() - started, files: 0 };
    rmSync(BUILD_STAMP, { force: true });
    const files = await compile();
    copyAssets(join(REPO_ROOT, 'src'), join(BUILD_DIR, 'src'));
    copyFileSync(join(REPO_ROOT, 'package.json'), join(BUILD_DIR, 'package.json'));
    writeFileSync(BUILD_STAMP, `${JSON.stringify({ sources: fingerprint, builtAt: new Date().toISOString() })}\n`);
    return { built: true, ms: performance.now() - started, files };
  } finally {
    release();
  }
}

/** Emits with tsconfig.build.json; throws with the compiler's messages on errors (syntax, config). */
async function compile(): Promise<number> {
  const { default: ts } = await import('typescript');
  const configPath = join(REPO_ROOT, 'tsconfig.build.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (parsed === undefined) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences ?? [] });
  const emitted = program.emit();
  const diagnostics = [...parsed.errors, ...program.getSyntacticDiagnostics(), ...program.getOptionsDiagnostics(), ...emitted.diagnostics];
  if (diagnostics.length > 0 || emitted.emitSkipped) {
    const host: import('typescript').FormatDiagnosticsHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => '\n' };
    throw new Error(`the TypeScript build failed:\n${ts.formatDiagnostics(diagnostics, host)}`);
  }
  return parsed.fileNames.length;
}

/** Copies every file under src/ that is not TypeScript (worker entries, JSON data), the studio aside. */
function copyAssets(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      if (source !== STUDIO_SOURCES) copyAssets(source, join(to, entry.name));
      continue;
    }
    if (entry.name.endsWith('.ts')) continue;
    mkdirSync(dirname(join(to, entry.name)), { recursive: true });
    copyFileSync(source, join(to, entry.name));
  }
}

/** Takes the build lock (a folder holding the owner's pid), waiting while a live build holds it. */
async function acquireLock(): Promise<() => void> {
  const lock = LOCK_DIR;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!ownerAlive(lock) || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Just created, pid not written yet: treat as alive for this round.
    return true;
  }
  return isProcessAlive(pid);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await import('typescript');
  } catch {
    // `npm ci --omit=dev`: no compiler, so no build; bin/shenbi.js runs the sources through tsx.
    process.stderr.write('typescript is not installed: skipping the compiled build (the CLI runs its sources through tsx)\n');
    process.exit(0);
  }
  try {
    const result = await buildNode({ force: process.argv.includes('--force') });
    const quiet = process.argv.includes('--quiet');
    if (result.built) process.stderr.write(`compiled ${result.files} files into ${relative(process.cwd(), BUILD_DIR) || '.'} in ${(result.ms / 1000).toFixed(1)} s\n`);
    else if (!quiet) process.stderr.write(`${relative(process.cwd(), BUILD_DIR)} is up to date\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
