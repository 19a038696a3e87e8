import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-keys-cli-'));
after(() => rmSync(home, { recursive: true, force: true }));

// Three CLI starts only (each loads the whole CLI); --force and the cache are covered in test/governance/c2pa.test.ts.
test('shenbi keys: show without keys says how to make them; init creates 0600 keys; a second init refuses', async () => {
  const missing = await runCli(['keys', 'show'], { home });
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /SIGNING_KEYS_MISSING[\s\S]*hint: shenbi keys init/);

  const init = await runCli(['--json', 'keys', 'init'], { home });
  assert.equal(init.status, 0, init.stderr);
  const shown = JSON.parse(init.stdout) as { dir: string; signer: { subject: string; issuer: string; key: string }; ca: { file: string } };
  assert.equal(shown.dir, join(home, 'keys'));
  assert.match(shown.signer.subject, /CN=Shenbi C2PA signer/);
  assert.match(shown.signer.issuer, /CN=Shenbi local C2PA CA/);
  assert.equal(statSync(shown.signer.key).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, 'keys', 'ca-key.pem')).mode & 0o777, 0o600);
  const key = readFileSync(shown.signer.key, 'utf8');

  const again = await runCli(['keys', 'init'], { home });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /refusing to overwrite[\s\S]*--force/);
  assert.equal(readFileSync(shown.signer.key, 'utf8'), key);
});
