// `npm start`: build the studio when its sources changed (or it was never built), then serve
// it with the API on 127.0.0.1 with the embedded defaults. Extra arguments go to `shenbi serve`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildStudio, isStudioBuildFresh, STUDIO_DIST } from '../src/web/build.ts';

if (!isStudioBuildFresh()) {
  process.stderr.write('building the studio (vite)…\n');
  try {
    const { ms } = await buildStudio();
    process.stderr.write(`studio built into ${STUDIO_DIST} in ${(ms / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.stderr.write(`could not build the studio: ${error instanceof Error ? error.message : String(error)}\n(run \`npm ci\` to install the build tools; the API will still be served)\n`);
  }
}

const { main } = await import('../src/cli/main.ts');
// The studio's folder by absolute path, so `npm start` works from any working directory.
const studio = existsSync(join(STUDIO_DIST, 'index.html')) ? ['--static', STUDIO_DIST] : [];
process.exitCode = await main(['serve', ...studio, ...process.argv.slice(2)]);
