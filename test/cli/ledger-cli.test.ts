import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { openDatabase, openStore } from '../../src/store/index.ts';
import { runCli } from '../helpers/cli.ts';
import { newArtifact } from '../store/fixtures.ts';

describe('shenbi ledger / artifacts show --provenance', () => {
  let home: string;
  const ids: string[] = [];
  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'shenbi-ledger-cli-'));
    const store = await openStore({ database: `sqlite:${join(home, 'shenbi.db')}`, blobsDir: join(home, 'blobs'), governance: implicitLabelRecord('t') });
    for (const text of ['first', 'second', 'third']) ids.push((await store.artifacts.put(newArtifact(text))).id);
    await store.close();
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('show --provenance prints the entry and the chain status', async () => {
    const json = await runCli(['--json', 'artifacts', 'show', ids[1] ?? '', '--provenance'], { home });
    assert.equal(json.status, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { entry: { seq: number; payload: { artifactId: string; sha256: string } }; chain: { ok: boolean; entries: number } };
    assert.equal(body.entry.seq, 2);
    assert.equal(body.entry.payload.artifactId, ids[1]);
    assert.deepEqual([body.chain.ok, body.chain.entries], [true, 3]);
    const text = await runCli(['artifacts', 'show', ids[0] ?? '', '--provenance'], { home });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^ledger seq 1 /m);
    assert.match(text.stdout, /^chain ok: 3 entries/m);
  });

  test('verify passes, export writes one line per entry; after tampering verify exits 5 with the broken seq', async () => {
    const ok = await runCli(['ledger', 'verify'], { home });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^ok: 3 entries/);

    const out = join(home, 'ledger.jsonl');
    const exported = await runCli(['ledger', 'export', '--out', out], { home });
    assert.equal(exported.status, 0, exported.stderr);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; artifactId: string });
    assert.deepEqual(lines.map((l) => [l.seq, l.artifactId]), ids.map((id, i) => [i + 1, id]));

    const handle = await openDatabase(`sqlite:${join(home, 'shenbi.db')}`, { migrate: false });
    await handle.db.updateTable('provenance_ledger').set({ payload: '{"v":1,"forged":true}' }).where('seq', '=', 2).execute();
    await handle.close();
    const brokenJson = await runCli(['--json', 'ledger', 'verify'], { home });
    assert.equal(brokenJson.status, 5);
    const err = JSON.parse(brokenJson.stdout) as { error: { code: string; details: { verification: { firstBroken: { seq: number; reason: string } } } } };
    assert.deepEqual(err.error.details.verification.firstBroken, { seq: 2, reason: 'hash-mismatch', artifactId: ids[1] });
  });
});
