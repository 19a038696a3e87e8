import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import type { ProviderConfig } from '../../src/engines/providers/index.ts';
import { GLTF_LABEL_KEY } from '../../src/governance/explicit/model3d.ts';
import { isRendererAvailable } from '../../src/engines/scene3d/render/index.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { sendBytes, tinyGlb } from '../helpers/cloud-3d-fixtures.ts';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';

/**
 * `generate 3d` with a cloud model (model3d.cloud through the job runner): the checked GLB is
 * stored as a labeled model3d artifact, a local PNG drives image-to-3D, and a refused file or
 * format leaves nothing in the store.
 */

type Route = (req: RecordedRequest, res: ServerResponse, server: FakeServer) => void | Promise<void>;
let route: Route = (_req, res) => sendJson(res, 500, { message: 'no route set' });
let server: FakeServer;
let shenbi: Shenbi;
let home: string;
let media: string;
let pngPath: string;
let glb: Uint8Array;
Object.assign(process.env, { SHENBI_TEST_MESHY: 'msy-step', SHENBI_TEST_TRIPO: 'tsk_step' });

before(async () => {
  server = await startFakeServer((req, res) => route(req, res, server));
  glb = await tinyGlb();
  home = mkdtempSync(join(tmpdir(), 'shenbi-cloud-3d-home-'));
  media = mkdtempSync(join(tmpdir(), 'shenbi-cloud-3d-media-'));
  pngPath = join(media, 'lantern.png');
  writeFileSync(pngPath, await sharp({ create: { width: 16, height: 16, channels: 3, background: '#d22' } }).png().toBuffer());
  const providers: ProviderConfig[] = [
    { name: 'meshy', kind: 'meshy', baseURL: `${server.baseURL}/meshy`, apiKeyEnv: 'SHENBI_TEST_MESHY' },
    { name: 'tripo', kind: 'tripo', baseURL: `${server.baseURL}/tripo`, apiKeyEnv: 'SHENBI_TEST_TRIPO' },
  ];
  shenbi = await Shenbi.open({ overrides: { home, providers, mediaRoots: [media], c2pa: { enabled: false, keysDir: join(home, 'keys') } } });
});

after(async () => {
  await shenbi?.close();
  await server?.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(media, { recursive: true, force: true });
});

/** Meshy answering every task as done on the first poll (the step's first poll comes at once). */
function meshy(file: Route): Route {
  return (req, res, s) => {
    if (req.method === 'POST' && req.url === '/meshy/openapi/v2/text-to-3d') return sendJson(res, 202, { result: req.body.mode === 'preview' ? 'p' : 'r' });
    if (req.method === 'POST' && req.url === '/meshy/openapi/v1/image-to-3d') return sendJson(res, 202, { result: 'i' });
    const task = /^\/meshy\/openapi\/v[12]\/(?:text|image)-to-3d\/(\w+)$/.exec(req.url);
    if (task) return sendJson(res, 200, { id: task[1], status: 'SUCCEEDED', progress: 100, model_urls: { glb: `${s.baseURL}/cdn/${task[1]}.glb` } });
    if (req.url.startsWith('/cdn/')) return file(req, res, s);
    sendJson(res, 404, { message: 'Not found' });
  };
}

async function failureOf(run: Promise<{ status: string; error: { code?: string; message?: string } | null }>): Promise<{ code: string; message: string }> {
  try {
    const job = await run;
    assert.equal(job.status, 'failed', 'the job should fail');
    return { code: String(job.error?.code), message: String(job.error?.message) };
  } catch (error) {
    assert.ok(error instanceof ShenbiError, String(error));
    return { code: error.code, message: error.message };
  }
}

const modelCount = async () => (await shenbi.store.artifacts.list()).filter((a) => a.kind === 'model3d').length;

describe('generate 3d with a cloud model', () => {
  test('meshy: the checked GLB is stored as a model3d artifact carrying the AI label in asset.extras', async () => {
    route = meshy((_req, res) => sendBytes(res, glb));
    const job = await shenbi.generate('3d', { model: 'meshy:latest', prompt: '一盏红灯笼', seed: 9 });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const { artifact, bytes } = await shenbi.store.artifacts.read(String(job.outputs!.model));
    assert.equal(artifact.kind, 'model3d');
    assert.equal(artifact.mimeType, 'model/gltf-binary');
    assert.equal(artifact.provenance.model?.name, 'meshy:latest');
    assert.equal((artifact.provenance.parameters as Record<string, unknown>).providerRequestId, 'r');
    assert.ok(artifact.labels.some((l) => l.type === 'aigc-explicit'), JSON.stringify(artifact.labels.map((l) => l.type)));
    const doc = await new NodeIO().readBinary(new Uint8Array(bytes));
    assert.equal(doc.getRoot().listMeshes().length, 1, 'the geometry is kept');
    const extras = doc.getRoot().getAsset().extras as Record<string, { text?: string }> | undefined;
    assert.ok(extras?.[GLTF_LABEL_KEY]?.text, `label in asset.extras: ${JSON.stringify(extras)}`);
    if (await isRendererAvailable()) {
      // Drawn here from the checked model, not taken from the provider's picture.
      const thumbnail = await shenbi.store.artifacts.read(String(job.outputs!.thumbnail));
      assert.equal(thumbnail.artifact.mimeType, 'image/png');
      assert.deepEqual(thumbnail.artifact.provenance.parents, [artifact.id]);
      assert.equal((await sharp(thumbnail.bytes).metadata()).format, 'png');
    }
  });

  test('image-to-3D from a local PNG (meshy), stored as glTF JSON with embedded buffers', async () => {
    route = meshy((_req, res) => sendBytes(res, glb));
    const job = await shenbi.generate('3d', { model: 'meshy', image: pngPath, format: 'gltf', thumbnail: false });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const submit = server.requests.findLast((r) => r.url === '/meshy/openapi/v1/image-to-3d')!;
    assert.match(String(submit.body.image_url), /^data:image\/png;base64,iVBORw0KGgo/);
    const { artifact, bytes } = await shenbi.store.artifacts.read(String(job.outputs!.model));
    assert.equal(artifact.mimeType, 'model/gltf+json');
    const json = JSON.parse(bytes.toString('utf8'));
    assert.match(json.buffers[0].uri, /^data:application\/octet-stream;base64,/);
    const doc = await new NodeIO().readJSON({ json, resources: {} });
    assert.equal(doc.getRoot().listMeshes().length, 1);
    assert.ok(json.asset.extras[GLTF_LABEL_KEY], 'glTF JSON carries the label');
  });

  test('image-to-3D from a local PNG (tripo): uploaded, then image_to_model', async () => {
    route = (req, res, s) => {
      if (req.url === '/tripo/v2/openapi/upload') return sendJson(res, 200, { code: 0, data: { image_token: 'tok' } });
      if (req.url === '/tripo/v2/openapi/task') return sendJson(res, 200, { code: 0, data: { task_id: 'tt' } });
      if (req.url === '/tripo/v2/openapi/task/tt') return sendJson(res, 200, { code: 0, data: { task_id: 'tt', status: 'success', output: { model: `${s.baseURL}/tcdn/tt.glb` } } });
      if (req.url === '/tcdn/tt.glb') return sendBytes(res, glb);
      sendJson(res, 404, { code: 2000, message: 'no' });
    };
    const first = server.requests.length;
    const job = await shenbi.generate('3d', { model: 'tripo', image: pngPath, prompt: 'a lantern', thumbnail: false });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const reqs = server.requests.slice(first);
    assert.deepEqual(reqs.map((r) => r.url), ['/tripo/v2/openapi/upload', '/tripo/v2/openapi/task', '/tripo/v2/openapi/task/tt', '/tcdn/tt.glb']);
    assert.deepEqual(reqs[1]!.body, { type: 'image_to_model', file: { type: 'png', file_token: 'tok' } });
  });

  test('a non-glTF answer fails the job with MEDIA_INVALID and stores nothing', async () => {
    route = meshy((_req, res) => sendBytes(res, Buffer.from('PK\u0003\u0004 this is a zip, not a model '.repeat(4)), 'application/zip'));
    const before = await modelCount();
    const failure = await failureOf(shenbi.generate('3d', { model: 'meshy:latest', prompt: 'a vase', thumbnail: false }));
    assert.equal(failure.code, 'MEDIA_INVALID');
    assert.equal(await modelCount(), before);
  });

  test('stl/3mf from a cloud model is INVALID_INPUT before any provider call; a non-image is refused too', async () => {
    const first = server.requests.length;
    const stl = await failureOf(shenbi.generate('3d', { model: 'meshy:latest', prompt: 'a cup', format: 'stl' }));
    assert.equal(stl.code, 'INVALID_INPUT');
    assert.match(stl.message, /stl comes from the local engine/);
    const textFile = join(media, 'notes.txt');
    writeFileSync(textFile, 'not a picture');
    const notImage = await failureOf(shenbi.generate('3d', { model: 'meshy', image: textFile }));
    assert.equal(notImage.code, 'INVALID_INPUT');
    assert.equal(server.requests.length, first, 'no provider call');
  });
});
