// `npm start`: build the studio when its sources changed (or it was never built), then serve
// it with the API on 127.0.0.1 with the embedded defaults. Extra arguments go to `shenbi serve`.
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
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
