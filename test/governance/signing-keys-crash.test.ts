import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ensureSigningKeys } from '../../src/governance/c2pa/ensure-keys.ts';
import { initSigningKeys, KEY_FILES, loadSigningKeys } from '../../src/governance/c2pa/keys.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { runCli } from '../helpers/cli.ts';

const CHILD = fileURLToPath(new URL('./signing-keys-child.ts', import.meta.url));

interface ChildRun {
  signal: NodeJS.Signals | null;
  status: number | null;
  result?: { signer: string; ca: string; log: string[] };
  stderr: string;
}

/** Starts children that make keys in `keysDir`; all begin at once, when each has loaded. */
async function runChildren(keysDir: string, count: number, killAfter?: number): Promise<ChildRun[]> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', CHILD, keysDir, ...(killAfter === undefined ? [] : [String(killAfter)])], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const runs = children.map(
    (child) =>
      new Promise<ChildRun>((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('exit', (status, signal) => {
          const line = stdout.split('\n').find((l) => l.startsWith('{'));
          resolve({ status, signal, stderr, ...(line === undefined ? {} : { result: JSON.parse(line) as ChildRun['result'] }) });
        });
      }),
  );
  await Promise.all(children.map((child) => new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer | string) => String(chunk).includes('ready') && resolve()))));
  for (const child of children) child.stdin.end('go\n');
  return Promise.all(runs);
}

/**
 * A labeled job, as any user runs one: its audio must carry a C2PA manifest that the CA makes
 * Trusted (by default the CA in the keys folder once the job has run).
 */
let jobs = 0;
async function assertJobSignsTrusted(shenbi: Shenbi, anchor: string | undefined, what: string): Promise<string> {
  // A new text each time: the step cache would otherwise hand back an artifact signed earlier.
  const job = await shenbi.generate('speech', { text: `Hi ${++jobs}.`, format: 'wav' });
  assert.equal(job.status, 'completed', `${what}: ${JSON.stringify(job.error)}`);
  const caPem = anchor ?? readFileSync(join(shenbi.config.c2pa.keysDir, KEY_FILES.caCertificate), 'utf8');
  const artifact = await shenbi.store.artifacts.get(String(job.outputs?.audio));
  assert.ok(artifact.labels.some((l) => l.type === 'c2pa'), `${what}: the audio is signed`);
  const path = (await shenbi.store.blobs.localPath(artifact.blobRef));
  const report = await verifyLabels(readFileSync(path), { mimeType: artifact.mimeType, trustAnchors: [caPem], require: ['trusted'] });
  assert.equal(report.c2pa.state, 'Trusted', `${what}: ${JSON.stringify(report.c2pa)}`);
  return path;
}

const asideFolders = (home: string, kind: string) => readdirSync(home).filter((name) => name.startsWith(`keys.${kind}-`));

/**
 * Issue #15 item 8: a crash while the keys are first made must not leave every later job
 * refused (`ca.pem is missing`) until `keys init --force`. Sets are made in one rename and a
 * half-made set (from a crash of an older version) is repaired on next use.
 */
describe('C2PA signing keys survive crashes while they are made', () => {
  const root = mkdtempSync(join(tmpdir(), 'shenbi-keys-crash-'));
  let home: string;
  let shenbi: Shenbi;
  let keysDir: string;

  before(async () => {
    home = join(root, 'home');
    mkdirSync(home);
    keysDir = join(home, 'keys');
    shenbi = await Shenbi.open({ overrides: { home } });
  });
  after(async () => {
    await shenbi.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a half-made set (the key files, no ca.pem) is repaired on the next job, and `shenbi verify` trusts its output', { timeout: 120_000 }, async () => {
    // What an older version left after a kill between writing the keys and the certificates.
    const donor = await initSigningKeys(join(root, 'donor'));
    mkdirSync(keysDir);
    for (const file of [KEY_FILES.caKey, KEY_FILES.signerKey]) cpSync(join(donor.dir, file), join(keysDir, file));

    const path = await assertJobSignsTrusted(shenbi, undefined, 'after a half-made set');
    const broken = asideFolders(home, 'broken');
    assert.equal(broken.length, 1, 'the half-made folder is kept aside, not deleted');
    assert.deepEqual(readdirSync(join(home, broken[0]!)).sort(), [KEY_FILES.caKey, KEY_FILES.signerKey].sort());

    // The CLI, with only this home's own CA as trust anchor.
    const verified = await runCli(['--json', 'verify', '--require', 'implicit,trusted', path], { home });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.equal((JSON.parse(verified.stdout) as { ok: boolean }).ok, true);
  });

  test('a set whose CA survived but whose signer did not gets a new signer from the same CA: earlier trust anchors keep working', { timeout: 120_000 }, async () => {
    rmSync(keysDir, { recursive: true, force: true });
    const original = await initSigningKeys(keysDir);
    const caPem = readFileSync(join(keysDir, KEY_FILES.caCertificate), 'utf8');
    rmSync(join(keysDir, KEY_FILES.signerCertificate));

    await assertJobSignsTrusted(shenbi, caPem, 'after losing signer.pem');
    const repaired = await loadSigningKeys(keysDir);
    assert.equal(repaired.caCertificate.fingerprint256, original.caCertificate.fingerprint256, 'the same CA');
    assert.notEqual(repaired.signerCertificate.fingerprint256, original.signerCertificate.fingerprint256, 'a new signer');
    assert.ok(repaired.signerCertificate.verify(original.caCertificate.publicKey));
  });

  test('kill -9 at every file-system step of key creation: the next job still signs, trusted by the set then on disk', { timeout: 300_000 }, async () => {
    const outcomes: string[] = [];
    for (let killAfter = 1; killAfter <= 40; killAfter++) {
      rmSync(keysDir, { recursive: true, force: true });
      const [run] = await runChildren(keysDir, 1, killAfter);
      if (run!.signal !== 'SIGKILL') {
        // Creation finished before the Nth change: every point before it has been tried.
        assert.equal(run!.status, 0, run!.stderr);
        assert.ok(killAfter > 3, `creation makes more than ${killAfter - 1} changes`);
        break;
      }
      outcomes.push(existsSync(keysDir) ? readdirSync(keysDir).sort().join(',') : '(none)');
      // The next job (this process, a different pid from the killed one) repairs whatever is left.
      const keys = await ensureSigningKeys(keysDir, () => {});
      assert.ok(keys.signerCertificate.verify(keys.caCertificate.publicKey), `after a kill at change ${killAfter}`);
      await assertJobSignsTrusted(shenbi, undefined, `after a kill at change ${killAfter}`);
      // A lock left by the dead process may stay (the next creator breaks it); a temp folder may not.
      assert.deepEqual(readdirSync(home).filter((name) => name.startsWith('.keys.creating')), [], `no temp folder is left after a kill at change ${killAfter}`);
    }
    assert.ok(outcomes.length >= 3, `kills at several points (${outcomes.length})`);
    // Atomic creation: a kill leaves no keys folder or a whole one, never part of one.
    for (const seen of outcomes) assert.ok(seen === '(none)' || seen === Object.values(KEY_FILES).sort().join(','), `a kill left ${seen}`);
  });

  test('processes racing to make (or repair) the keys all end up using one consistent set', { timeout: 120_000 }, async () => {
    for (const start of ['none', 'half-made'] as const) {
      rmSync(keysDir, { recursive: true, force: true });
      for (const name of asideFolders(home, 'broken')) rmSync(join(home, name), { recursive: true, force: true });
      if (start === 'half-made') {
        const donor = await initSigningKeys(join(root, `donor-${start}`));
        mkdirSync(keysDir);
        cpSync(join(donor.dir, KEY_FILES.caKey), join(keysDir, KEY_FILES.caKey));
      }
      const runs = await runChildren(keysDir, 4);
      for (const run of runs) assert.equal(run.status, 0, `${start}: ${run.stderr}`);
      const results = runs.map((run) => run.result!);
      const onDisk = await loadSigningKeys(keysDir);
      for (const result of results) {
        assert.equal(result.signer, onDisk.signerCertificate.fingerprint256, `${start}: every process signs with the set on disk`);
        assert.equal(result.ca, onDisk.caCertificate.fingerprint256);
      }
      assert.equal(results.filter((r) => r.log.length > 0).length, 1, `${start}: exactly one process made the set: ${JSON.stringify(results.map((r) => r.log))}`);
      assert.equal(asideFolders(home, 'broken').length, start === 'half-made' ? 1 : 0, `${start}: at most one folder set aside`);
      assert.ok(onDisk.signerCertificate.verify(onDisk.caCertificate.publicKey));
    }
  });
});
