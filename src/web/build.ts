import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InlineConfig, ProxyOptions } from 'vite';

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

/**
 * The one Vite configuration, for `buildStudio` and for `npx vite src/web` (hot reload).
 * In development Vite proxies the API to a running `shenbi serve` (SHENBI_STUDIO_API,
 * default http://127.0.0.1:8787) and drops the browser's Origin, so the server's
 * cross-site guard sees a same-site request, as it would from the built studio.
 */
export async function studioViteConfig(outDir: string = STUDIO_DIST): Promise<InlineConfig> {
  const { default: react } = await import('@vitejs/plugin-react');
  const target = process.env.SHENBI_STUDIO_API ?? 'http://127.0.0.1:8787';
  const proxy: ProxyOptions = {
    target,
    changeOrigin: true,
    configure: (server) => server.on('proxyReq', (request) => request.removeHeader('origin')),
  };
  return {
    root: STUDIO_ROOT,
    base: '/',
    plugins: [react()],
    server: { host: '127.0.0.1', proxy: { '/api': proxy, '/v1': proxy } },
    build: { outDir, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1024 },
  };
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
  const { build } = await import('vite');
  await build({ ...(await studioViteConfig(outDir)), configFile: false, logLevel: options.logLevel ?? 'warn' });
  return { built: true, outDir, ms: Math.round(performance.now() - started) };
}
