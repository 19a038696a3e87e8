import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, isAbsolute } from 'node:path';
import type { MiddlewareHandler } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.wasm': 'application/wasm', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built studio from `dir`: a file when the path names one inside it, otherwise
 * index.html (client-side routes). /api and /v1 are never answered from here.
 */
export function staticFiles(dir: string): MiddlewareHandler {
  const root = resolve(dir);
  return async (c, next) => {
    const method = c.req.method;
    const path = c.req.path;
    if ((method !== 'GET' && method !== 'HEAD') || path.startsWith('/api/') || path === '/api' || path.startsWith('/v1/') || path === '/v1') return next();
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return next();
    }
    const candidate = resolve(root, `.${decoded}`);
    const file = await existingFileInside(root, candidate);
    const target = file ?? (extname(decoded) === '' ? await existingFileInside(root, join(root, 'index.html')) : undefined);
    if (target === undefined) return next();
    const type = TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
    c.header('Content-Type', type);
    c.header('X-Content-Type-Options', 'nosniff');
    // Hashed asset names can be cached for good; index.html must be revalidated.
    c.header('Cache-Control', target.includes(`${join(root, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(new Uint8Array(await readFile(target)));
  };
}

async function existingFileInside(root: string, path: string): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    const realRoot = await realpath(root);
    const rel = relative(realRoot, real);
    if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
