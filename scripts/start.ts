// `npm start`: build the studio and the compiled CLI when their sources changed (or they were
// never built), then serve the studio with the API on 127.0.0.1 with the embedded defaults.
// Extra arguments go to `shenbi serve`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compiledUrl, isCompiledBuildFresh } from '../bin/compiled-build.js';
import { buildStudio, isStudioBuildFresh, STUDIO_DIST } from '../src/web/build.ts';
import { buildNode } from './build-node.ts';

if (!isStudioBuildFresh()) {
  process.stderr.write('building the studio (vite)…\n');
  try {
    const { ms } = await buildStudio();
    process.stderr.write(`studio built into ${STUDIO_DIST} in ${(ms / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.stderr.write(`could not build the studio: ${error instanceof Error ? error.message : String(error)}\n(run \`npm ci\` to install the build tools; the API will still be served)\n`);
  }
}

try {
  const { built, ms } = await buildNode();
  if (built) process.stderr.write(`compiled the server into dist/node in ${(ms / 1000).toFixed(1)} s\n`);
} catch (error) {
  process.stderr.write(`could not compile the server: ${error instanceof Error ? error.message : String(error)}\n(it runs from its TypeScript sources instead)\n`);
}

// The compiled server when it matches the sources (a file edited since is run from source, as bin/shenbi.js does).
const { main } = (await import(isCompiledBuildFresh() ? compiledUrl('src/cli/main.ts').href : '../src/cli/main.ts')) as typeof import('../src/cli/main.ts');
// The studio's folder by absolute path, so `npm start` works from any working directory.
const studio = existsSync(join(STUDIO_DIST, 'index.html')) ? ['--static', STUDIO_DIST] : [];
process.exitCode = await main(['serve', ...studio, ...process.argv.slice(2)]);
