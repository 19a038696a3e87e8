#!/usr/bin/env node
// The `shenbi` command. Sources are TypeScript run through tsx's loader, so there is no
// build step between a checkout and a working CLI.
import { register } from 'tsx/esm/api';

register();
// `shenbi verify … | head`: a reader that stops early is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
