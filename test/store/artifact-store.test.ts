import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import type { ArtifactCandidate, GovernanceHook } from '../../src/governance/hook.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { openDatabase, openStore } from '../../src/store/index.ts';
import { describeEachDialect } from './dialects.ts';
import { hasCode, newArtifact, provenance } from './fixtures.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { LocalBlobStore } from '../../src/store/blobs/local-blob-store.ts';
import type { BlobStore } from '../../src/store/types.ts';

/** These tests open the on-disk store: its temp dir is where crashed writes would be. */
function tempDirOf(blobs: BlobStore): string {
  assert.ok(blobs instanceof LocalBlobStore);
  return blobs.tempDir;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every file under the blob tree, relative paths. */
async function blobFiles(blobsDir: string): Promise<string[]> {
  const entries = await readdir(join(blobsDir, 'sha256'), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

async function artifactRowCount(databaseUrl: string): Promise<number> {
  const handle = await openDatabase(databaseUrl);
  try {
    const row = await handle.db.selectFrom('artifacts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await handle.close();
  }
}

describeEachDialect('artifact store', (ctx) => {
  test('put, get, find, list and read round-trip through the blob store', async () => {
    const store = await ctx.openFreshStore(implicitLabelRecord('shenbi-test'));
    const wav = await readFile(join(TESTDATA, 'jfk.wav'));
    const audio = await store.artifacts.put({
      kind: 'audio',
      mimeType: 'audio/wav',
      bytes: wav,
      name: 'jfk.wav',
      jobId: 'job_x',
      stepId: 'speak',
      provenance: provenance('speech.synthesize'),
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // distinct created_at, so "newest first" is defined
    const text = await store.artifacts.put(newArtifact('hello', { jobId: 'job_y' }));

    assert.match(audio.id, /^art_[0-9a-z]{26}$/);
    assert.equal(audio.size, wav.byteLength);
    assert.equal(audio.sha256, sha256(wav));
    assert.equal(audio.blobRef, `sha256:${audio.sha256}`);
    assert.deepEqual(audio.labels.map((l) => l.type), ['aigc-implicit', 'iptc-digital-source-type']);
    assert.deepEqual(await store.artifacts.get(audio.id), audio);
    assert.deepEqual(await store.artifacts.find(text.id), text);
    assert.equal(await store.artifacts.find('art_missing'), undefined);
    await assert.rejects(store.artifacts.get('art_missing'), hasCode('ARTIFACT_NOT_FOUND'));

    const { artifact, bytes } = await store.artifacts.read(audio.id);
    assert.deepEqual(artifact, audio);
    assert.ok(bytes.equals(wav));
    assert.ok((await readFile((await store.blobs.localPath(audio.blobRef)))).equals(wav));

    assert.deepEqual((await store.artifacts.list()).map((a) => a.id), [text.id, audio.id], 'newest first');
    assert.deepEqual((await store.artifacts.list({ jobId: 'job_x' })).map((a) => a.id), [audio.id]);
    assert.deepEqual((await store.artifacts.list({ kind: 'text' })).map((a) => a.id), [text.id]);
    assert.deepEqual((await store.artifacts.list({ limit: 1 })).map((a) => a.id), [text.id]);
    await assert.rejects(store.artifacts.list({ limit: 0 }), hasCode('INVALID_INPUT'));
    assert.deepEqual(await readdir(tempDirOf(store.blobs)), []);
  });

  test('the governance hook sees every write first and may rewrite the bytes', async () => {
    const seen: ArtifactCandidate[] = [];
    const labeler: GovernanceHook = {
      name: 'prefix-label',
      async review(candidate) {
        seen.push(candidate);
        const bytes = Buffer.concat([Buffer.from('[AI generated] '), candidate.bytes]);
        return { bytes, labels: [{ type: 'aigc-explicit', placement: 'text-prefix', value: '[AI generated]' }] };
      },
    };
    const store = await ctx.openFreshStore(labeler);
    const first = await store.artifacts.put(newArtifact('a short story'));
    const second = await store.artifacts.put(newArtifact('another one', { name: 'two.txt' }));

    assert.deepEqual(seen.map((c) => c.id), [first.id, second.id], 'the hook saw each write, with the final id');
    assert.equal(Buffer.from(seen[0]?.bytes ?? []).toString(), 'a short story');
    assert.equal(seen[1]?.name, 'two.txt');
    const stored = Buffer.from('[AI generated] a short story');
    assert.equal(first.sha256, sha256(stored), 'hash is of the rewritten bytes');
    assert.equal(first.size, stored.byteLength);
    assert.deepEqual(first.labels, [{ type: 'aigc-explicit', placement: 'text-prefix', value: '[AI generated]' }]);
    assert.equal((await store.artifacts.read(first.id)).bytes.toString(), stored.toString());
    assert.equal(await store.blobs.has(`sha256:${sha256(Buffer.from('a short story'))}`), false, 'original bytes never stored');
  });

  test('a refusing hook leaves no blob and no row', async () => {
    let calls = 0;
    const refuser: GovernanceHook = {
      name: 'refuser',
      async review(candidate) {
        calls += 1;
        if (Buffer.from(candidate.bytes).toString().includes('forbidden')) {
          throw new ShenbiError('GOVERNANCE_REFUSED', 'Refused by policy.');
        }
        return { bytes: candidate.bytes, labels: [] };
      },
    };
    const store = await ctx.openFreshStore(refuser);
    await assert.rejects(store.artifacts.put(newArtifact('something forbidden')), hasCode('GOVERNANCE_REFUSED'));
    assert.equal(calls, 1);
    assert.deepEqual(await blobFiles(store.blobsDir), []);
    assert.deepEqual(await readdir(tempDirOf(store.blobs)), []);
    assert.deepEqual(await store.artifacts.list(), []);
    assert.equal(await artifactRowCount(store.databaseUrl), 0);

    const allowed = await store.artifacts.put(newArtifact('fine'));
    assert.deepEqual(await blobFiles(store.blobsDir), [allowed.sha256]);
    assert.equal(await artifactRowCount(store.databaseUrl), 1);
  });

  test('a hook that returns a malformed decision stores nothing', async () => {
    const broken = {
      name: 'broken',
      async review() {
        return { bytes: 'not bytes', labels: [] };
      },
    } as unknown as GovernanceHook;
    const store = await ctx.openFreshStore(broken);
    await assert.rejects(store.artifacts.put(newArtifact('x')), hasCode('INTERNAL'));
    assert.deepEqual(await blobFiles(store.blobsDir), []);
    assert.deepEqual(await store.artifacts.list(), []);
  });

  test('invalid artifacts are refused with INVALID_INPUT before governance runs', async () => {
    const seen: string[] = [];
    const store = await ctx.openFreshStore({
      name: 'spy',
      async review(c) {
        seen.push(c.id);
        return { bytes: c.bytes, labels: [] };
      },
    });
    const bad = { ...newArtifact('x'), kind: 'hologram' } as unknown as Parameters<typeof store.artifacts.put>[0];
    await assert.rejects(store.artifacts.put(bad), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.message, /artifact\.kind/);
      return true;
    });
    const noProvenance = { ...newArtifact('x'), provenance: { task: '' } } as unknown as Parameters<typeof store.artifacts.put>[0];
    await assert.rejects(store.artifacts.put(noProvenance), hasCode('INVALID_INPUT'));
    assert.deepEqual(seen, []);
  });

  test('reading an artifact whose blob was tampered with fails with BLOB_CORRUPT', async () => {
    const store = await ctx.openFreshStore();
    const art = await store.artifacts.put(newArtifact('the true content'));
    await writeFile((await store.blobs.localPath(art.blobRef)), 'the TRUE content');
    await assert.rejects(store.artifacts.read(art.id), (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'BLOB_CORRUPT');
      assert.equal(error.details?.expected, art.sha256);
      return true;
    });
    // A missing blob is BLOB_NOT_FOUND, not corruption.
    await store.blobs.delete(art.blobRef);
    await assert.rejects(store.artifacts.read(art.id), hasCode('BLOB_NOT_FOUND'));
  });

  test('identical artifacts share one blob; concurrent puts all land', async () => {
    const store = await ctx.openFreshStore();
    const puts = await Promise.all(Array.from({ length: 8 }, () => store.artifacts.put(newArtifact('same bytes'))));
    assert.equal(new Set(puts.map((a) => a.id)).size, 8);
    assert.equal(new Set(puts.map((a) => a.blobRef)).size, 1);
    assert.deepEqual(await blobFiles(store.blobsDir), [puts[0]?.sha256]);
    assert.equal((await store.artifacts.list()).length, 8);
    assert.deepEqual(await readdir(tempDirOf(store.blobs)), []);
  });

  test('openStore sweeps temp files of dead writers and close is idempotent', async () => {
    const store = await ctx.openFreshStore();
    const art = await store.artifacts.put(newArtifact('kept'));
    await store.close();
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    const leftover = join(tempDirOf(store.blobs), `${child.pid}-00112233aabbccdd.tmp`);
    await writeFile(leftover, 'partial');
    const reopened = await openStore({ database: store.databaseUrl, blobsDir: store.blobsDir, governance: implicitLabelRecord('t') });
    try {
      assert.deepEqual(await readdir(tempDirOf(reopened.blobs)), []);
      assert.equal((await reopened.artifacts.read(art.id)).bytes.toString(), 'kept');
    } finally {
      await reopened.close();
      await reopened.close();
    }
  });
});
