/**
 * A separate process that makes the C2PA keys the way a job does on first use
 * (ensureSigningKeys), for the crash and race tests in signing-keys-crash.test.ts.
 *
 *   node --import tsx signing-keys-child.ts KEYS_DIR [KILL_AFTER]
 *
 * Prints "ready", waits for a line on stdin (so racing children start together), then
 * creates or loads the keys and prints {"signer":sha256,"ca":sha256,"log":[…]}. With
 * KILL_AFTER=N it kill -9s itself right after its Nth file-system change (open for writing,
 * mkdir, rename, rm…), whatever code makes the keys: the fs module is instrumented, not the
 * code under test.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { createInterface } from 'node:readline';

const [keysDir, killAfterArg] = process.argv.slice(2);
if (keysDir === undefined) throw new Error('usage: signing-keys-child.ts KEYS_DIR [KILL_AFTER]');
const killAfter = killAfterArg === undefined ? Infinity : Number(killAfterArg);

const { ensureSigningKeys } = await import('../../src/governance/c2pa/ensure-keys.ts');

process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

if (Number.isFinite(killAfter)) {
  const fsPromises = createRequire(import.meta.url)('node:fs/promises') as Record<string, unknown>;
  let changes = 0;
  const afterChange = () => {
    changes += 1;
    if (changes >= killAfter) process.kill(process.pid, 'SIGKILL');
  };
  const writes = (flags: unknown) => typeof flags === 'string' && /[wa+]/.test(flags);
  for (const name of ['mkdir', 'rename', 'rm', 'rmdir', 'unlink', 'writeFile', 'link', 'open']) {
    const original = fsPromises[name] as (...args: unknown[]) => Promise<unknown>;
    fsPromises[name] = async (...args: unknown[]) => {
      const result = await original(...args);
      // Opening for reading (fsync of a folder, reading a file) changes nothing on disk.
      if (name !== 'open' || writes(args[1])) afterChange();
      return result;
    };
  }
  // Named imports of node:fs/promises in already-loaded modules see the wrappers too.
  syncBuiltinESMExports();
}

const log: string[] = [];
const keys = await ensureSigningKeys(keysDir, (message) => log.push(message));
process.stdout.write(`${JSON.stringify({ signer: keys.signerCertificate.fingerprint256, ca: keys.caCertificate.fingerprint256, log })}\n`);
process.exit(0);
