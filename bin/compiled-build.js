// Where the compiled CLI lives (`npm run build`, scripts/build-node.ts) and whether it still
// matches the sources. Plain JavaScript, so bin/shenbi.js can ask before loading tsx.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Compiled JavaScript mirrors the repository: src/cli/main.ts → dist/node/src/cli/main.js. */
export const BUILD_DIR = join(REPO_ROOT, 'dist', 'node');
/** Written last by a successful build: the fingerprint of the sources it compiled. */
export const BUILD_STAMP = join(BUILD_DIR, 'build-stamp.json');
/** The studio (src/web) is built by Vite, not into the CLI. */
const SKIPPED = new Set([join(REPO_ROOT, 'src', 'web')]);
/** Files outside src/ whose change changes the build. */
const INPUT_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/**
 * A fingerprint of every path, size and mtime under src/ (directories too, so a deleted or
 * renamed file counts) and of the build's config files. Any edit changes it, whatever the
 * clock says; it costs a stat per file (a few ms), not a read.
 */
export function sourceFingerprint(root = REPO_ROOT) {
  const hash = createHash('sha1');
  const visit = (dir) => {
    const dirStat = statSync(dir);
    hash.update(`${dir}\0${dirStat.mtimeMs}\n`);
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(path)) visit(path);
        continue;
      }
      const stat = statSync(path);
      hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  visit(join(root, 'src'));
  for (const file of INPUT_FILES) {
    try {
      const stat = statSync(join(root, file));
      hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
    } catch {
      hash.update(`${file}\0missing\n`);
    }
  }
  return hash.digest('hex');
}

/** The fingerprint the last complete build was made from, or undefined when there is none. */
export function builtFingerprint() {
  try {
    return JSON.parse(readFileSync(BUILD_STAMP, 'utf8')).sources;
  } catch {
    return undefined;
  }
}

/** True when dist/node holds a complete build of the sources as they are now. */
export function isCompiledBuildFresh() {
  const built = builtFingerprint();
  return built !== undefined && built === sourceFingerprint();
}

/** The compiled counterpart of a repository file: 'src/cli/main.ts' → file URL of dist/node/src/cli/main.js. */
export function compiledUrl(sourcePath) {
  return new URL(`../dist/node/${sourcePath.replace(/\.ts$/, '.js')}`, import.meta.url);
}
