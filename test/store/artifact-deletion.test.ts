import assert from 'node:assert/strict';
import { stat, utimes } from 'node:fs/promises';
import { test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { describeEachDialect } from './dialects.ts';
import { hasCode, newArtifact, pipelineSpec } from './fixtures.ts';

const exists = (path: string) => stat(path).then(() => true, () => false);

describeEachDialect('artifact deletion', (ctx) => {
  test('two artifacts share a blob: deleting one keeps it, deleting both and sweeping frees it; the ledger still verifies', async () => {
    const store = await ctx.openFreshStore();
    const text = 'shared bytes '.repeat(100);
    const a = await store.artifacts.put(newArtifact(text));
    const b = await store.artifacts.put(newArtifact(text));
    const other = await store.artifacts.put(newArtifact('other bytes'));
    assert.equal(a.blobRef, b.blobRef);
    const path = (await store.blobs.localPath(a.blobRef));

    const first = await store.artifacts.delete(a.id);
    assert.deepEqual(first.deletedArtifacts, [a.id]);
    assert.equal(first.blobsRemoved, 0);
    assert.ok(await exists(path), 'blob still referenced by b');
    await assert.rejects(store.artifacts.get(a.id), hasCode('ARTIFACT_NOT_FOUND'));
    assert.equal((await store.artifacts.read(b.id)).bytes.toString(), text);

    // With a grace period the just-written blob is kept even once unreferenced...
    const graced = await store.artifacts.delete(b.id, { olderThanMs: 60_000 });
    assert.equal(graced.blobsRemoved, 0);
    assert.equal(graced.blobsKept, 1);
    assert.ok(await exists(path));
    // ...and a later sweep without grace reclaims it, reporting the bytes.
    const swept = await store.artifacts.sweepUnreferencedBlobs({ olderThanMs: 0 });
    assert.equal(swept.blobsRemoved, 1);
    assert.equal(swept.bytesReclaimed, Buffer.byteLength(text));
    assert.equal(await exists(path), false);
    assert.ok(await exists((await store.blobs.localPath(other.blobRef))), 'other blobs untouched');

    // History stays: both ledger entries remain and the chain verifies.
    const chain = await store.ledger.verifyChain();
    assert.equal(chain.ok, true, JSON.stringify(chain));
    assert.equal(chain.entries, 3);
    assert.ok(await store.ledger.entryFor(a.id));
    assert.ok(await store.ledger.entryFor(b.id));
    await assert.rejects(store.artifacts.delete(a.id), hasCode('ARTIFACT_NOT_FOUND'));
  });

  test('a put of identical bytes refreshes the blob mtime, so a grace period protects it', async () => {
    const store = await ctx.openFreshStore();
    const a = await store.artifacts.put(newArtifact('refreshed'));
    const path = (await store.blobs.localPath(a.blobRef));
    const old = new Date(Date.now() - 3_600_000);
    await utimes(path, old, old);
    await store.blobs.put(Buffer.from('refreshed'));
    assert.ok(Date.now() - (await stat(path)).mtimeMs < 60_000);
  });

  test('delete of several ids is all or none', async () => {
    const store = await ctx.openFreshStore();
    const a = await store.artifacts.put(newArtifact('keep me'));
    await assert.rejects(store.artifacts.delete([a.id, newId('art')]), hasCode('ARTIFACT_NOT_FOUND'));
    assert.ok(await store.artifacts.find(a.id));
  });

  test('a job that is queued or running is refused (JOB_RUNNING); once ended, its artifacts go and its record stays', async () => {
    const store = await ctx.openFreshStore();
    const jobId = newId('job');
    await store.jobs.create({ id: jobId, spec: pipelineSpec(['a']), input: {} });
    const x = await store.artifacts.put(newArtifact('job output 1', { jobId, stepId: 'a' }));
    await store.artifacts.put(newArtifact('job output 2', { jobId, stepId: 'a' }));
    await assert.rejects(store.artifacts.deleteByJob(jobId), hasCode('JOB_RUNNING'));
    await store.jobs.update(jobId, { status: 'running' });
    await assert.rejects(store.artifacts.delete(x.id), hasCode('JOB_RUNNING'));
    assert.ok(await store.artifacts.find(x.id));
    await store.jobs.update(jobId, { status: 'completed' });
    const report = await store.artifacts.deleteByJob(jobId);
    assert.equal(report.deletedArtifacts.length, 2);
    assert.equal(report.blobsRemoved, 2);
    assert.deepEqual(await store.artifacts.list({ jobId }), []);
    assert.equal((await store.jobs.get(jobId)).status, 'completed');
    await assert.rejects(store.artifacts.deleteByJob(newId('job')), hasCode('JOB_NOT_FOUND'));
    assert.equal((await store.ledger.verifyChain()).ok, true);
  });

  test('a put racing delete + sweep of identical bytes never leaves a row without its blob', async () => {
    const store = await ctx.openFreshStore();
    const iterations = ctx.dialect === 'sqlite' ? 60 : 40;
    for (let i = 0; i < iterations; i += 1) {
      const text = `racing bytes ${i % 3}`;
      const victim = await store.artifacts.put(newArtifact(text));
      const [, racer] = await Promise.all([
        (async () => {
          await store.artifacts.delete(victim.id, { olderThanMs: 0 });
          await store.artifacts.sweepUnreferencedBlobs({ olderThanMs: 0 });
        })(),
        store.artifacts.put(newArtifact(text)),
      ]);
      assert.ok(await store.blobs.has(racer.blobRef), `iteration ${i}: the racing put's blob is missing`);
      assert.equal((await store.artifacts.read(racer.id)).bytes.toString(), text);
      await store.artifacts.delete(racer.id, { olderThanMs: 0 });
    }
    const rest = await store.artifacts.sweepUnreferencedBlobs({ olderThanMs: 0 });
    assert.equal(rest.blobsKept, 0);
    assert.deepEqual(await store.artifacts.list(), []);
  });
});
