import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type SharpModule from 'sharp';

let loaded: Promise<typeof SharpModule> | undefined;

/**
 * sharp (libvips), imported on first use. Loading its native library took ~0.2 s of the
 * start-up of every process (each CLI command, a server, a worker) while the image steps
 * imported it at the top.
 */
export function loadSharp(): Promise<typeof SharpModule> {
  loaded ??= import('sharp').then((module) => module.default);
  return loaded;
}

/** sharp's version from its package.json (engine version strings), without loading sharp. */
export const SHARP_VERSION: string = installedVersion('sharp');

function installedVersion(name: string): string {
  // The package exports no ./package.json: walk up from its entry point to its own.
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (json.name === name && typeof json.version === 'string') return json.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}
