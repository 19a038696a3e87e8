/**
 * The compiled CLI: `npm run build` emits dist/node, bin/shenbi.js runs it when it matches the
 * sources (without tsx, and without loading any engine for --version/--help), and runs the
 * sources through tsx as soon as a file under src/ changes. Worker threads start from the
 * compiled build too. Works on a copy of the repository (its own src/, bin/, scripts/ and a
 * node_modules of links without tsx), so neither other tests' edits nor this test's touch the
 * checkout, and anything that still needs tsx fails outright.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Engines and stores that `--version`, `--help` and `tasks list` must not load. */
const HEAVY = ['node-llama-cpp', 'onnxruntime-node', 'sharp', '@contentauth/c2pa-wasm', 'quickjs-emscripten', '@echogarden/espeak-ng-emscripten', '@fugood/whisper.node', 'tesseract.js', 'better-sqlite3', 'pg', 'kysely', 'mathjs', 'spessasynth_core', 'piscina', 'hono', 'ai', 'tsx'];

/** An --import hook that appends every resolved module URL (main thread and workers) to $RECORD_FILE. */
const RECORDER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.RECORD_FILE, result.url + '\\\\n');
  return result;
}\`));
`;

let copy = '';
let home = '';
let recorder = '';
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: copy, env: { ...process.env, SHENBI_HOME: home, FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let records = 0;
/** Runs `node --import recorder ...args` in the copy; returns its output and the module URLs it resolved. */
async function runRecorded(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; modules: string[] }> {
  const file = join(copy, `modules-${records++}.txt`);
  writeFileSync(file, '');
  const result = await run(process.execPath, ['--import', recorder, ...args], { RECORD_FILE: file });
  return { ...result, modules: [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))] };
}

function packagesOf(modules: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const url of modules) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}

/** The module URLs of the copy's own code: compiled (dist/node/…/*.js) or sources (src/…/*.ts). */
function ownModules(modules: readonly string[]): { compiled: string[]; sources: string[] } {
  const own = modules.filter((url) => url.startsWith(`file://${copy}/`) && !url.includes('/node_modules/'));
  return { compiled: own.filter((url) => url.includes('/dist/node/src/')), sources: own.filter((url) => url.includes(`${copy}/src/`)) };
}

before(async () => {
  copy = mkdtempSync(join(tmpdir(), 'shenbi-startup-'));
  home = join(copy, 'home');
  for (const entry of ['bin', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(REPO, entry), join(copy, entry), { recursive: true });
  const studio = join(REPO, 'src', 'web');
  cpSync(join(REPO, 'src'), join(copy, 'src'), { recursive: true, filter: (path) => path !== studio && !path.startsWith(`${studio}/`) });
  // Every package but tsx: compiled code that still reached for it would fail to start.
  mkdirSync(join(copy, 'node_modules'));
  for (const name of readdirSync(join(REPO, 'node_modules'))) {
    if (name !== 'tsx' && name !== '.bin') symlinkSync(join(REPO, 'node_modules', name), join(copy, 'node_modules', name));
  }
  recorder = join(copy, 'record-modules.mjs');
  writeFileSync(recorder, RECORDER);
  // The build itself runs under this checkout's tsx.
  const build = await run(process.execPath, ['--import', import.meta.resolve('tsx'), join(copy, 'scripts/build-node.ts')]);
  assert.equal(build.status, 0, build.stderr);
  assert.match(build.stderr, /compiled \d+ files into dist\/node/);
});

after(() => {
  if (copy !== '') rmSync(copy, { recursive: true, force: true });
});

test('a fresh build: --version runs the compiled CLI and loads no engine, store or tsx', async () => {
  const result = await runRecorded(['bin/shenbi.js', '--version']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), version);
  const { compiled, sources } = ownModules(result.modules);
  assert.deepEqual(sources, [], 'no TypeScript source is loaded');
  assert.ok(compiled.some((url) => url.endsWith('/dist/node/src/cli/main.js')), 'the compiled main runs');
  const heavy = HEAVY.filter((name) => packagesOf(result.modules).has(name));
  assert.deepEqual(heavy, [], `--version loaded ${heavy.join(', ')}`);
  // The command modules themselves stay unloaded: --version needs none of them.
  assert.deepEqual(compiled.filter((url) => url.includes('/cli/commands/')), []);
});

test('--help lists every command and loads no engine', async () => {
  const result = await runRecorded(['bin/shenbi.js', '--help']);
  assert.equal(result.status, 0, result.stderr);
  for (const command of ['generate', 'run', 'tasks', 'pipelines', 'jobs', 'artifacts', 'verify', 'ledger', 'gc', 'models', 'npc', 'serve', 'apikeys', 'keys']) {
    assert.match(result.stdout, new RegExp(`^  ${command}\\b`, 'm'), `--help lists ${command}`);
  }
  assert.deepEqual(ownModules(result.modules).sources, []);
  const heavy = HEAVY.filter((name) => packagesOf(result.modules).has(name));
  assert.deepEqual(heavy, [], `--help loaded ${heavy.join(', ')}`);
});

test('tasks list runs compiled and loads only its own command', async () => {
  const result = await runRecorded(['bin/shenbi.js', '--json', 'tasks', 'list']);
  assert.equal(result.status, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as { kind: string; engine: boolean }[];
  assert.ok(rows.some((row) => row.kind === 'text'));
  const { compiled, sources } = ownModules(result.modules);
  assert.deepEqual(sources, []);
  assert.deepEqual(compiled.filter((url) => url.includes('/cli/commands/')).map((url) => url.replace(/.*\/commands\//, '')), ['tasks.js']);
  const heavy = HEAVY.filter((name) => packagesOf(result.modules).has(name));
  assert.deepEqual(heavy, [], `tasks list loaded ${heavy.join(', ')}`);
});

test('jobs list opens the whole Shenbi but loads node-llama-cpp only when a model loads', async () => {
  const result = await runRecorded(['bin/shenbi.js', '--json', 'jobs', 'list']);
  assert.equal(result.status, 0, result.stderr);
  assert.ok(Array.isArray(JSON.parse(result.stdout)));
  const packages = packagesOf(result.modules);
  // The store is open (so this run did load the engines' step definitions)...
  assert.ok(packages.has('better-sqlite3') && packages.has('kysely'), 'the store was opened');
  // ...yet llama.cpp's bindings (~0.4 s of each start here) were not imported.
  assert.equal(packages.has('node-llama-cpp'), false, 'jobs list loaded node-llama-cpp');
});

test('worker threads start from the compiled build without tsx: CPU pool, QuickJS sandbox, C2PA signer', async () => {
  const dist = (path: string) => JSON.stringify(join(copy, 'dist/node/src', path));
  writeFileSync(
    join(copy, 'probe-workers.mjs'),
    `const { integratedLoudnessOffThread } = await import(${dist('media/audio/off-thread.js')});
const { integratedLoudness } = await import(${dist('media/audio/loudness.js')});
const { closeWorkerPool } = await import(${dist('workers/pool.js')});
const { runInSandbox, sandboxPool } = await import(${dist('engines/quickjs-sandbox/index.js')});
const { prepareSigningKeys } = await import(${dist('governance/c2pa/keys.js')});
const { C2paSigningWorker } = await import(${dist('governance/c2pa/worker/signing-worker.js')});
const sampleRate = 48000;
const samples = new Float32Array(sampleRate * 2).map((_, i) => 0.25 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
const audio = { sampleRate, samples };
const offThread = await integratedLoudnessOffThread(audio);
const inThread = integratedLoudness(audio);
await closeWorkerPool();
const sandbox = await runInSandbox({ code: 'function add(a, b) { return a + b; }', entry: 'add', args: [2, 3] });
await sandboxPool().close();
const { keys } = await prepareSigningKeys(${JSON.stringify(join(copy, 'keys'))}, 'init');
const signer = new C2paSigningWorker();
const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const signed = await signer.sign(gif, 'image/gif', { keys, claimGenerator: { name: 'startup-test', version: '1' } });
await signer.close();
process.stdout.write(JSON.stringify({ offThread, inThread, sandbox, signed: signed.signed }));
process.exit(0);
`,
  );
  const result = await runRecorded(['probe-workers.mjs']);
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout) as { offThread: number; inThread: number; sandbox: { ok: boolean; value?: unknown }; signed: boolean };
  assert.equal(out.offThread, out.inThread, 'the pool ran the compiled loudness module');
  assert.deepEqual({ ok: out.sandbox.ok, value: out.sandbox.value }, { ok: true, value: 5 });
  assert.equal(out.signed, true);
  for (const entry of ['workers/run-task.js', 'engines/quickjs-sandbox/worker/sandbox-worker.js', 'governance/c2pa/worker/sign-worker.js']) {
    assert.ok(result.modules.some((url) => url.endsWith(`/dist/node/src/${entry}`)), `a worker loaded ${entry}`);
  }
  assert.deepEqual(ownModules(result.modules).sources, [], 'no worker loaded a TypeScript source');
});

test('a source newer than the build: bin/shenbi.js runs the sources through tsx and shows the edit', async () => {
  // The fallback needs tsx, as a checkout has it.
  symlinkSync(join(REPO, 'node_modules', 'tsx'), join(copy, 'node_modules', 'tsx'));
  // Only a newer mtime (same bytes): stale all the same.
  const later = new Date(Date.now() + 5_000);
  utimesSync(join(copy, 'src/core/errors.ts'), later, later);
  const touched = await runRecorded(['bin/shenbi.js', '--version']);
  assert.equal(touched.status, 0, touched.stderr);
  assert.equal(touched.stdout.trim(), version);
  assert.ok(packagesOf(touched.modules).has('tsx'), 'tsx was registered');
  assert.ok(ownModules(touched.modules).sources.some((url) => url.endsWith('/src/cli/main.ts')));
  assert.deepEqual(ownModules(touched.modules).compiled, [], 'nothing compiled ran');

  // An edit: the CLI shows it at once.
  const main = join(copy, 'src/cli/main.ts');
  writeFileSync(main, readFileSync(main, 'utf8').replace('AIGC studio and engine', 'AIGC studio and engine (edited after the build)'));
  const edited = await runRecorded(['bin/shenbi.js', '--help']);
  assert.equal(edited.status, 0, edited.stderr);
  assert.match(edited.stdout, /edited after the build/);
  assert.deepEqual(ownModules(edited.modules).compiled, []);
});
