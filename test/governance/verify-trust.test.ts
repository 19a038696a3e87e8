import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EXIT } from '../../src/core/errors.ts';
import { KEY_FILES } from '../../src/governance/c2pa/keys.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';
import { encodeWav } from '../../src/media/audio/wav.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { runCli } from '../helpers/cli.ts';

/**
 * Issue #17 item 6g: a file signed by another Shenbi home, checked with `--require trusted`,
 * is UNTRUSTED (labels present and valid, only trust failed; exit 7), not UNLABELED.
 */

let dir: string;
let signed: string;
let caOfSigner: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shenbi-verify-trust-'));
  const shenbi = await Shenbi.open({ overrides: { home: join(dir, 'signer-home') }, env: process.env });
  try {
    const job = await shenbi.generate('speech', { text: 'Signed at another home.', format: 'wav' });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const artifact = await shenbi.store.artifacts.get(String(job.outputs?.audio));
    signed = join(dir, 'speech.wav');
    await writeFile(signed, (await shenbi.store.artifacts.read(artifact.id)).bytes);
    caOfSigner = await readFile(join(shenbi.config.c2pa.keysDir, KEY_FILES.caCertificate), 'utf8');
  } finally {
    await shenbi.close();
  }
});
after(() => rm(dir, { recursive: true, force: true }));

test('verifyLabels: valid labels from an untrusted signer are "untrusted", with the labels reported valid', async () => {
  const bytes = await readFile(signed);
  const stranger = await verifyLabels(bytes, { require: ['trusted'] });
  assert.equal(stranger.verdict, 'untrusted', JSON.stringify(stranger.problems));
  assert.equal(stranger.implicit.valid, true);
  assert.equal(stranger.c2pa.state, 'Valid');
  assert.equal(stranger.problems.length, 1);
  assert.match(stranger.problems[0]!, /manifest is valid but its signer does not chain to a trust anchor/);
  // With the signer's CA it is labeled; without --require trusted it is labeled too.
  assert.equal((await verifyLabels(bytes, { require: ['trusted'], trustAnchors: [caOfSigner] })).verdict, 'labeled');
  assert.equal((await verifyLabels(bytes)).verdict, 'labeled');
  // A file with no label at all stays unlabeled under the same requirement.
  const plain = encodeWav({ sampleRate: 8000, samples: new Float32Array(800) }, 1);
  assert.equal((await verifyLabels(plain, { require: ['trusted'] })).verdict, 'unlabeled');
});

test('shenbi verify --require trusted at another home: UNTRUSTED, labels shown valid, exit 7', async () => {
  const run = await runCli(['verify', '--require', 'implicit,trusted', signed], { home: join(dir, 'verifier-home') });
  assert.equal(run.status, EXIT.untrusted, run.stdout + run.stderr);
  assert.equal(EXIT.untrusted, 7);
  assert.match(run.stdout, /^UNTRUSTED {2}/m);
  assert.match(run.stdout, /AIGC implicit: valid/);
  assert.match(run.stdout, /C2PA: Valid/);
  assert.match(run.stdout, /1 of 1 labeled \(valid\) but signed by an untrusted signer/);
  assert.doesNotMatch(run.stdout, /UNLABELED/);
});
