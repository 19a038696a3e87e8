import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { LOCAL_CALLER, type JobCaller } from '../../src/core/job-caller.ts';
import type { StepContext } from '../../src/core/step.ts';
import { DEFAULT_MEDIA_FETCH } from '../../src/media/fetch/media-fetch-settings.ts';
import { allowedPath, readMediaInput, type MediaPolicy } from '../../src/pipelines/steps/media-input.ts';
import { faults, startFaultServer, type FaultServer } from '../helpers/fault-server.ts';

let base: string;
let root: string;
let outside: string;
let server: FaultServer;
const KEYED: JobCaller = { tenant: 'mallory', localFiles: false };

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'shenbi-media-input-'));
  root = join(base, 'media root');
  outside = join(base, 'server files');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(root, 'mine.txt'), 'my own file');
  await writeFile(join(outside, 'secret.txt'), 'server secret');
  await symlink(join(outside, 'secret.txt'), join(root, 'link-to-secret.txt'));
  await symlink(outside, join(root, 'link-to-outside'));
  await symlink(root, join(base, 'root-alias'));
  server = await startFaultServer({ routes: { '/pic.png': faults.body(Buffer.alloc(3000, 1), 200, { 'content-type': 'image/png' }) } });
});
after(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

function context(caller: JobCaller): StepContext {
  return {
    jobId: 'job_test',
    stepId: 'read',
    attempt: 1,
    caller,
    signal: new AbortController().signal,
    progress: () => undefined,
    partial: () => undefined,
    writeArtifact: () => Promise.reject(new Error('not used')),
    readArtifact: () => Promise.reject(new Error('not used')),
  };
}

async function rejection(work: Promise<unknown>, what: string): Promise<ShenbiError> {
  const error = await work.then(() => assert.fail(`${what} was accepted`), (e: unknown) => e);
  assert.ok(error instanceof ShenbiError, `${what}: ${String(error)}`);
  return error;
}

/** Records every fs/promises call on a path under `base` while `work` runs (ESM bindings included). */
async function fileSystemCalls(work: () => Promise<unknown>): Promise<string[]> {
  const names = ['realpath', 'stat', 'lstat', 'readFile', 'readdir', 'access', 'open', 'opendir'] as const;
  const promises = fs.promises as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map(names.map((name) => [name, promises[name]!]));
  const calls: string[] = [];
  for (const name of names) {
    const original = originals.get(name)!;
    promises[name] = (...args: unknown[]) => {
      if (String(args[0]).includes(base)) calls.push(`${name} ${String(args[0])}`);
      return original(...args);
    };
  }
  syncBuiltinESMExports();
  try {
    await work();
  } finally {
    for (const name of names) promises[name] = originals.get(name)!;
    syncBuiltinESMExports();
  }
  return calls;
}

test('a job of an API key is refused every local path alike, without touching the file system', async () => {
  const policy: MediaPolicy = { roots: [root, base] };
  const fromCwd = relative(process.cwd(), join(outside, 'secret.txt'));
  const refs = [
    join(outside, 'secret.txt'),
    join(outside, 'missing.txt'),
    join(root, 'mine.txt'),
    join(root, 'link-to-secret.txt'),
    join(root, 'link-to-outside', 'missing.txt'),
    `x/../${fromCwd}`,
    `x/../${relative(process.cwd(), join(outside, 'nothing-here.txt'))}`,
    `file://${join(outside, 'secret.txt')}`,
    '~/.ssh/id_rsa',
    'C:\\Windows\\win.ini',
    ' art_notreally',
  ];
  const answers = new Set<string>();
  const calls = await fileSystemCalls(async () => {
    for (const ref of refs) {
      const error = await rejection(readMediaInput(context(KEYED), ref, policy, 'image'), ref);
      assert.equal(error.code, 'PATH_NOT_ALLOWED', `${ref}: ${error.message}`);
      assert.ok(!error.message.includes(base) && !JSON.stringify(error.details).includes(base), `${ref}: the answer names a server path`);
      answers.add(JSON.stringify({ code: error.code, message: error.message, hint: error.hint, details: error.details }));
    }
    // Model folders, SoundFonts and material folders go through the same gate.
    for (const what of ['model', 'soundfont', 'folder']) {
      const error = await rejection(allowedPath(join(root, 'sub'), { roots: [root], caller: KEYED, what }), what);
      assert.equal(error.code, 'PATH_NOT_ALLOWED');
    }
  });
  assert.equal(answers.size, 1, `one answer for every path, existing or not:\n${[...answers].join('\n')}`);
  assert.deepEqual(calls, [], 'nothing under the test folder was looked at');
  // The spy works: the local user's read of the same file is seen.
  const seen = await fileSystemCalls(() => readMediaInput(context(LOCAL_CALLER), join(root, 'mine.txt'), policy, 'image'));
  assert.ok(seen.length > 0);
});

test('the CLI reads files inside the media roots, canonicalised; outside the roots nothing reveals whether a path exists', async () => {
  const policy: MediaPolicy = { roots: [root] };
  const ctx = context(LOCAL_CALLER);
  const mine = await readMediaInput(ctx, join(root, 'mine.txt'), policy, 'text');
  assert.equal(mine.bytes.toString(), 'my own file');
  // A root configured through a symlink: its files are read by either name (the root is canonicalised too).
  const aliased: MediaPolicy = { roots: [join(base, 'root-alias')] };
  assert.equal((await readMediaInput(ctx, join(base, 'root-alias', 'mine.txt'), aliased, 'text')).bytes.toString(), 'my own file');
  assert.equal((await readMediaInput(ctx, join(root, 'mine.txt'), aliased, 'text')).bytes.toString(), 'my own file');
  assert.equal(mine.name, join(root, 'mine.txt'));
  // A relative path that resolves inside the root.
  assert.equal((await readMediaInput(ctx, relative(process.cwd(), join(root, 'sub', '..', 'mine.txt')), policy, 'text')).bytes.toString(), 'my own file');

  const outsideAnswer = async (ref: string) => {
    const error = await rejection(readMediaInput(ctx, ref, policy, 'text'), ref);
    assert.equal(error.code, 'PATH_NOT_ALLOWED', `${ref}: ${error.code} ${error.message}`);
    return error;
  };
  // Existing and missing files outside the roots: the same code and hint, nothing from the file system.
  const existing = await outsideAnswer(join(outside, 'secret.txt'));
  const missing = await outsideAnswer(join(outside, 'missing.txt'));
  assert.equal(existing.message.replace('secret.txt', 'X'), missing.message.replace('missing.txt', 'X'));
  assert.deepEqual({ ...existing.details, path: 'X' }, { ...missing.details, path: 'X' });
  // A link inside the root that leads out: refused after realpath, also when its target is missing.
  await outsideAnswer(join(root, 'link-to-secret.txt'));
  await outsideAnswer(join(root, 'link-to-outside', 'secret.txt'));
  await outsideAnswer(join(root, 'link-to-outside', 'missing.txt'));
  await outsideAnswer(`${join(root, 'sub')}/../../server files/secret.txt`);
  // The path is judged as written first: an alias outside the roots is refused before it is followed.
  await outsideAnswer(join(base, 'root-alias', 'mine.txt'));
  // Only inside the roots may a path be reported missing.
  const absent = await rejection(readMediaInput(ctx, join(root, 'absent.png'), policy, 'image'), 'absent');
  assert.equal(absent.code, 'MEDIA_INVALID');
  assert.match(absent.message, /does not exist/);
  const scheme = await rejection(readMediaInput(ctx, `file://${join(root, 'mine.txt')}`, policy, 'text'), 'file: URL');
  assert.equal(scheme.code, 'PATH_NOT_ALLOWED');
});

test('media URLs go through the guarded fetcher with the policy settings and the kind limit', async () => {
  const ctx = context(KEYED);
  const url = server.url('/pic.png');
  // The default policy: 127.0.0.1 is not a public address.
  assert.equal((await rejection(readMediaInput(ctx, url, { roots: [] }, 'image'), 'default')).code, 'PATH_NOT_ALLOWED');
  const allowed: MediaPolicy = { roots: [], fetch: { ...DEFAULT_MEDIA_FETCH, allowPrivateNetworks: ['127.0.0.1/32'] } };
  const fetched = await readMediaInput(ctx, url, allowed, 'image');
  assert.equal(fetched.bytes.length, 3000);
  assert.deepEqual(fetched.parents, []);
  const small: MediaPolicy = { roots: [], fetch: { ...allowed.fetch!, maxBytes: { ...DEFAULT_MEDIA_FETCH.maxBytes, image: 1000 } } };
  assert.equal((await rejection(readMediaInput(ctx, url, small, 'image'), 'over the image limit')).code, 'PAYLOAD_TOO_LARGE');
  assert.equal((await readMediaInput(ctx, url, small, 'audio')).bytes.length, 3000, 'the audio limit is separate');
});
