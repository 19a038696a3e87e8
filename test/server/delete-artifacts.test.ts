import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { newArtifact, pipelineSpec } from '../store/fixtures.ts';
import { startTestServer, type TestServer } from './helpers.ts';

let t: TestServer;
const tokens: Record<string, string> = {};
before(async () => {
  t = await startTestServer({ withModel: false });
  const keys = t.server.server.services.keys;
  tokens.alice = (await keys.create({ tenant: 'alice', scopes: ['generate', 'jobs:read'] })).token;
  tokens.bob = (await keys.create({ tenant: 'bob', scopes: ['generate', 'jobs:read'] })).token;
  tokens.readOnly = (await keys.create({ tenant: 'alice', scopes: ['jobs:read'] })).token;
  // Keys existing is noticed within a second of their creation.
  await new Promise((r) => setTimeout(r, 1100));
});
after(() => t.close());

function call(path: string, token: string, method = 'DELETE'): Promise<Response> {
  return fetch(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
}

async function expectCode(response: Promise<Response>, status: number, code: string, what: string): Promise<void> {
  const r = await response;
  const body = (await r.json()) as { error: { code: string } };
  assert.equal(r.status, status, `${what}: ${JSON.stringify(body)}`);
  assert.equal(body.error.code, code, what);
}

/** A job of alice's with two artifacts, made directly in the store (no engine needed). */
async function aliceJob(status: 'running' | 'completed'): Promise<{ jobId: string; artifactIds: string[] }> {
  const { store } = t.shenbi;
  const jobId = newId('job');
  await store.jobs.create({ id: jobId, spec: pipelineSpec(['a']), input: {} });
  await t.server.server.services.keys.setJobOwner(jobId, 'alice', null);
  const artifactIds = [];
  for (const text of [`one ${jobId}`, `two ${jobId}`]) artifactIds.push((await store.artifacts.put(newArtifact(text, { jobId, stepId: 'a' }))).id);
  await store.jobs.update(jobId, { status, outputs: { docs: artifactIds } });
  return { jobId, artifactIds };
}

test('DELETE /api/artifacts/:id: 403 without generate scope, 404 for another tenant, 204 for the owner; bytes gone, ledger intact', async () => {
  const { artifactIds } = await aliceJob('completed');
  const id = artifactIds[0]!;
  const blobPath = await t.shenbi.store.blobs.localPath((await t.shenbi.store.artifacts.get(id)).blobRef);
  await expectCode(call(`/api/artifacts/${id}`, tokens.readOnly!), 403, 'FORBIDDEN', 'no generate scope');
  await expectCode(call(`/api/artifacts/${id}`, tokens.bob!), 404, 'ARTIFACT_NOT_FOUND', 'another tenant');
  assert.ok(await t.shenbi.store.artifacts.find(id), 'still there after refused deletes');

  const deleted = await call(`/api/artifacts/${id}`, tokens.alice!);
  assert.equal(deleted.status, 204);
  assert.equal(await deleted.text(), '');
  assert.equal(existsSync(blobPath), false, 'its bytes are reclaimed');
  await expectCode(call(`/api/artifacts/${id}`, tokens.alice!, 'GET'), 404, 'ARTIFACT_NOT_FOUND', 'read after delete');
  await expectCode(call(`/api/artifacts/${id}`, tokens.alice!), 404, 'ARTIFACT_NOT_FOUND', 'second delete');
  assert.equal((await t.shenbi.store.ledger.verifyChain()).ok, true);
  assert.ok(await t.shenbi.store.ledger.entryFor(id), 'the ledger entry stays');
});

test('DELETE /api/jobs/:id/artifacts: 409 JOB_RUNNING while running, 404 for another tenant, 204 then the job is still readable', async () => {
  const running = await aliceJob('running');
  await expectCode(call(`/api/jobs/${running.jobId}/artifacts`, tokens.alice!), 409, 'JOB_RUNNING', 'running job');
  await expectCode(call(`/api/artifacts/${running.artifactIds[0]}`, tokens.alice!), 409, 'JOB_RUNNING', 'artifact of a running job');

  const done = await aliceJob('completed');
  await expectCode(call(`/api/jobs/${done.jobId}/artifacts`, tokens.bob!), 404, 'JOB_NOT_FOUND', 'another tenant');
  await expectCode(call(`/api/jobs/${done.jobId}/artifacts`, tokens.readOnly!), 403, 'FORBIDDEN', 'no generate scope');
  const deleted = await call(`/api/jobs/${done.jobId}/artifacts`, tokens.alice!);
  assert.equal(deleted.status, 204);
  const job = await call(`/api/jobs/${done.jobId}`, tokens.alice!, 'GET');
  assert.equal(job.status, 200, await job.clone().text());
  const view = (await job.json()) as { status: string; outputs: { docs: string[] }; artifacts: unknown[] };
  assert.equal(view.status, 'completed');
  assert.deepEqual(view.outputs.docs, done.artifactIds, 'the record keeps naming what it made');
  assert.deepEqual(view.artifacts, [], 'but lists no artifact any more');
  assert.deepEqual(await t.shenbi.store.artifacts.list({ jobId: done.jobId }), []);
});

test('the OpenAPI document lists both deletes with their scope and 204', async () => {
  const doc = (await (await call('/api/openapi.json', tokens.alice!, 'GET')).json()) as { paths: Record<string, Record<string, { 'x-shenbi-scope'?: string; responses: Record<string, unknown> }>> };
  for (const path of ['/api/artifacts/{id}', '/api/jobs/{id}/artifacts']) {
    const op = doc.paths[path]?.delete;
    assert.ok(op, path);
    assert.equal(op['x-shenbi-scope'], 'generate');
    assert.ok('204' in op.responses);
  }
});
