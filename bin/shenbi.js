#!/usr/bin/env node
// The `shenbi` command. It runs the compiled JavaScript in dist/node (`npm run build`, done by
// `npm ci`, `npm start` and `npm test`) when that build matches the sources; otherwise (no
// build yet, or a file under src/ changed since) it runs the TypeScript sources through tsx,
// so a checkout always runs what it holds. SHENBI_FROM_SOURCE=1 forces the sources.
import { compiledUrl, isCompiledBuildFresh } from './compiled-build.js';

// `shenbi verify … | head`: a reader that stops early is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
let entry;
if (process.env.SHENBI_FROM_SOURCE !== '1' && isCompiledBuildFresh()) {
  // Stack traces in TypeScript lines on request only: with source maps on, Node reads and
  // decodes the map of every module it loads, ours and the dependencies' (~0.4 s of CPU and
  // more wall time on each start of a 2-core host). The compiled files keep the sources'
  // names and shapes, so an unmapped stack still points at the right function.
  if (process.env.SHENBI_SOURCE_MAPS === '1') process.setSourceMapsEnabled(true);
  entry = compiledUrl('src/cli/main.ts').href;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = '../src/cli/main.ts';
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
