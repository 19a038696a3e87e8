// Worker threads and child processes start without the parent's module loader. Their entry
// files (plain .mjs) call this to import their TypeScript body: in the compiled build
// (dist/node, `npm run build`) the body is JavaScript beside the entry and runs as is; from
// the sources it is a .ts file, so tsx is registered first (as bin/shenbi.js does).
import { existsSync } from 'node:fs';

/** Imports `name` ('./run-task.ts') relative to `base` (the entry's import.meta.url). */
export async function importWorkerBody(name, base) {
  const compiled = new URL(name.replace(/\.ts$/, '.js'), base);
  if (existsSync(compiled)) return import(compiled.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(name, base).href);
}
