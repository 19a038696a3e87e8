import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The studio's sources (Vite root) and where `vite build` puts the static files the server serves. */
export const STUDIO_ROOT = dirname(fileURLToPath(import.meta.url));
export const STUDIO_DIST = resolve(STUDIO_ROOT, '../../dist/web');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist/web exists and was built after the last change to any studio source. */
export function isStudioBuildFresh(outDir: string = STUDIO_DIST): boolean {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return false;
  return statSync(index).mtimeMs >= newestMtime(STUDIO_ROOT);
}

export interface BuildStudioOptions {
  outDir?: string;
  /** Build even when the output is fresh. */
  force?: boolean;
  /** Vite's own output; silent by default. */
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}

/**
 * Builds the studio with Vite (imported lazily: it is a dev dependency, and serving a
 * prebuilt studio must not need it). Returns whether it built.
 */
export async function buildStudio(options: BuildStudioOptions = {}): Promise<{ built: boolean; outDir: string; ms: number }> {
  const outDir = options.outDir ?? STUDIO_DIST;
  const started = performance.now();
  if (!options.force && isStudioBuildFresh(outDir)) return { built: false, outDir, ms: 0 };
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({
    root: STUDIO_ROOT,
    base: '/',
    configFile: false,
    logLevel: options.logLevel ?? 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1024 },
  });
  return { built: true, outDir, ms: Math.round(performance.now() - started) };
}
