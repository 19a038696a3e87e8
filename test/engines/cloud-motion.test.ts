import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { generateCloudMotion, isMotionProviderSpec, type CloudMotionOptions } from '../../src/engines/cloud-motion/index.ts';
import { importHumanMl3d } from '../../src/engines/motion/formats/index.ts';
import { parseMotionPrompt } from '../../src/engines/motion/plan/parse-prompt.ts';
import { jointPositions, synthesizeMotion } from '../../src/engines/motion/synth/index.ts';
import type { ProviderConfig } from '../../src/engines/providers/index.ts';
import { measureClip } from '../../src/pipelines/steps/motion/motion-work.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { streamLarge } from '../helpers/cloud-3d-fixtures.ts';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';
import { npyBytes } from './motion-formats-helpers.ts';

/**
 * Motion providers: a 127.0.0.1 server speaking the documented protocol (docs/motion-protocol.md:
 * POST /v1/motion → 202 {id}, GET /v1/motion/{id} → {status, result}). Its joints are made by
 * the engine itself (synthesis + forward kinematics), so the metrics mean something.
 */

type Route = (req: RecordedRequest, res: ServerResponse, server: FakeServer) => void | Promise<void>;
let route: Route = (_req, res) => sendJson(res, 500, { error: 'no route set' });
let server: FakeServer;
let home: string;
let shenbi: Shenbi;
/** A 2 m walk at 20 fps as HumanML3D joint positions: frames × 22 × [x, y, z]. */
let walk: number[][][];
let providers: ProviderConfig[];
const FAST: CloudMotionOptions = { pollMs: 10, retry: { baseDelayMs: 10, maxDelayMs: 50 } };

before(async () => {
  const { clip } = synthesizeMotion(parseMotionPrompt('walk forward 2 m').plan, { fps: 20, seed: 0 });
  const positions = jointPositions(clip);
  walk = Array.from({ length: clip.frameCount }, (_, f) => Array.from({ length: 22 }, (_, j) => [0, 1, 2].map((k) => positions[(f * 22 + j) * 3 + k]!)));
  server = await startFakeServer((req, res) => route(req, res, server));
  process.env.SHENBI_TEST_MOTION_KEY = 'mk-secret';
  providers = [
    { name: 'mdm', kind: 'motion-http', baseURL: `${server.baseURL}/mdm`, apiKeyEnv: 'SHENBI_TEST_MOTION_KEY', defaultModel: 'humanml' },
    { name: 'open-motion', kind: 'motion-http', baseURL: `${server.baseURL}/open` },
    { name: 'chat', kind: 'openai', baseURL: `${server.baseURL}/v1` },
  ];
  home = await mkdtemp(join(tmpdir(), 'shenbi-cloud-motion-'));
  shenbi = await Shenbi.open({ overrides: { home, providers, c2pa: { enabled: false, keysDir: join(home, 'keys') } }, env: process.env });
});

after(async () => {
  delete process.env.SHENBI_TEST_MOTION_KEY;
  await shenbi?.close();
  await server?.close();
  await rm(home, { recursive: true, force: true });
});

function sendNpy(res: ServerResponse, values: Float32Array): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.end(Buffer.from(npyBytes(values, [walk.length, 22, 3])));
}

const succeeded = (joints: unknown, fps = 20) => ({ status: 'succeeded', result: { format: 'humanml3d', fps, joints } });

/** Queued on submit, running on the first poll, then the given final answer; Retry-After 0 so polls come at once. */
function queued(final: () => unknown, prefix = '/mdm'): Route {
  let polls = 0;
  return (req, res) => {
    if (req.method === 'POST' && req.url === `${prefix}/v1/motion`) {
      polls = 0;
      return sendJson(res, 202, { id: 'job-1' }, { 'retry-after': '0' });
    }
    if (req.method === 'GET' && req.url === `${prefix}/v1/motion/job-1`) {
      polls++;
      return sendJson(res, 200, polls === 1 ? { id: 'job-1', status: 'running' } : { id: 'job-1', ...(final() as object) }, { 'retry-after': '0' });
    }
    sendJson(res, 404, { error: `no ${req.method} ${req.url}` });
  };
}

async function refusal(run: Promise<unknown>): Promise<ShenbiError> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof ShenbiError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('the motion provider protocol (engine)', () => {
  test('submit → poll → succeeded: the joints are imported onto the standard skeleton; the key goes as Bearer', async () => {
    route = queued(() => succeeded(walk));
    const first = server.requests.length;
    const result = await generateCloudMotion('mdm:humanml', { prompt: 'a person walks forward', fps: 30, seed: 7 }, { ...FAST, providers });
    assert.equal(result.requestId, 'job-1');
    assert.equal(result.delivery, 'inline');
    assert.equal(result.clip.fps, 20, 'the server\'s frame rate is kept');
    assert.equal(result.clip.frameCount, walk.length);
    const reqs = server.requests.slice(first);
    assert.deepEqual(reqs.map((r) => `${r.method} ${r.url}`), ['POST /mdm/v1/motion', 'GET /mdm/v1/motion/job-1', 'GET /mdm/v1/motion/job-1']);
    assert.deepEqual(reqs[0]!.body, { model: 'humanml', prompt: 'a person walks forward', fps: 30, seed: 7 });
    assert.ok(reqs.every((r) => r.headers.authorization === 'Bearer mk-secret'));
  });

  test('the synchronous path: 200 with the finished job, no polling, no key when none is configured', async () => {
    const first = server.requests.length;
    route = (req, res) => (req.url === '/open/v1/motion' ? sendJson(res, 200, succeeded(walk)) : sendJson(res, 404, {}));
    const result = await generateCloudMotion('open-motion:momask', { prompt: 'walk', fps: 20 }, { ...FAST, providers });
    assert.equal(result.requestId, 'sync');
    assert.equal(result.clip.frameCount, walk.length);
    assert.equal(server.requests.length - first, 1, 'one request');
    assert.equal(server.requests.at(-1)!.headers.authorization, undefined);
  });

  test('429 with Retry-After on submit and on a poll, then success', async () => {
    let submits = 0;
    let polls = 0;
    route = (req, res) => {
      if (req.method === 'POST') return ++submits === 1 ? sendJson(res, 429, { error: 'busy GPU' }, { 'retry-after': '0' }) : sendJson(res, 202, { id: 'job-1' }, { 'retry-after': '0' });
      polls++;
      if (polls === 1) return sendJson(res, 503, { error: 'restarting' }, { 'retry-after': '0' });
      return sendJson(res, 200, { id: 'job-1', ...succeeded(walk) });
    };
    const result = await generateCloudMotion('mdm', { prompt: 'walk', fps: 20 }, { ...FAST, providers });
    assert.equal(result.clip.frameCount, walk.length);
    assert.equal(submits, 2);
    assert.equal(polls, 2);
  });

  test('a provider-reported failure is PROVIDER_REJECTED with the server\'s words', async () => {
    route = queued(() => ({ status: 'failed', error: 'CUDA out of memory' }));
    const error = await refusal(generateCloudMotion('mdm:humanml', { prompt: 'walk', fps: 20 }, { ...FAST, providers }));
    assert.equal(error.code, 'PROVIDER_REJECTED');
    assert.match(error.message, /mdm:humanml: motion job job-1 failed: CUDA out of memory/);
  });

  test('malformed joints are refused: wrong joint count, null (NaN via JSON.stringify), bare NaN, a body that is not a body, NaN in a .npy', async () => {
    const ask = () => generateCloudMotion('mdm:humanml', { prompt: 'walk', fps: 20 }, { ...FAST, providers });
    route = queued(() => succeeded(walk.map((frame) => frame.slice(0, 21))));
    const wrongShape = await refusal(ask());
    assert.equal(wrongShape.code, 'MEDIA_INVALID');
    assert.match(wrongShape.message, /frames × 22 × \[x, y, z\]/);

    route = queued(() => succeeded(walk.map((frame, f) => (f === 3 ? frame.map(() => [Number.NaN, 0, 0]) : frame))));
    assert.equal((await refusal(ask())).code, 'MEDIA_INVALID', 'NaN serialised as null');

    // What Python's json.dumps writes for NaN: not JSON.
    route = (req, res) => {
      if (req.method === 'POST') return sendJson(res, 202, { id: 'job-1' }, { 'retry-after': '0' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"status": "succeeded", "result": {"format": "humanml3d", "fps": 20, "joints": [[${Array(22).fill('[NaN, 0.9, 0.0]').join(', ')}]]}}`);
    };
    assert.equal((await refusal(ask())).code, 'PROVIDER_REJECTED');

    route = queued(() => succeeded(walk.map((frame) => frame.map(([x, y, z]) => [x! / 100, y! / 100, z! / 100]))));
    const centimetres = await refusal(ask());
    assert.equal(centimetres.code, 'MEDIA_INVALID');
    assert.match(centimetres.message, /legs are shorter than 10 cm/);

    const values = Float32Array.from(walk.flat(2));
    values[100] = Number.NaN;
    route = queued(() => ({ status: 'succeeded', result: { url: `${server.baseURL}/files/walk.npy` } }));
    const inner = route;
    route = (req, res, s) => (req.url === '/files/walk.npy' ? sendNpy(res, values) : inner(req, res, s));
    const npyNaN = await refusal(ask());
    assert.equal(npyNaN.code, 'MEDIA_INVALID');
    assert.match(npyNaN.message, /NaN/);
  });

  test('a result file (.npy) is downloaded, without the key on another origin, and imported', async () => {
    const values = Float32Array.from(walk.flat(2));
    const inner = queued(() => ({ status: 'succeeded', result: { url: `${server.baseURL.replace('127.0.0.1', 'localhost')}/files/walk.npy`, fps: 20 } }));
    route = (req, res, s) => (req.url === '/files/walk.npy' ? sendNpy(res, values) : inner(req, res, s));
    const result = await generateCloudMotion('mdm:humanml', { prompt: 'walk', fps: 20 }, { ...FAST, providers });
    assert.equal(result.delivery, 'file');
    assert.equal(result.clip.frameCount, walk.length);
    const download = server.requests.findLast((r) => r.url === '/files/walk.npy')!;
    assert.equal(download.headers.authorization, undefined, 'credentials stay on the API origin');
  });

  test('an oversized answer or file is refused before it is parsed', async () => {
    route = queued(() => succeeded(walk));
    const inline = await refusal(generateCloudMotion('mdm:humanml', { prompt: 'walk', fps: 20 }, { ...FAST, providers, maxBytes: 20_000 }));
    assert.equal(inline.code, 'PROVIDER_REJECTED');
    assert.match(inline.message, /larger than 20000 bytes/);

    const inner = queued(() => ({ status: 'succeeded', result: { url: '/files/huge.npy' } }));
    let streamed = 0;
    route = async (req, res, s) => {
      if (req.url === '/files/huge.npy') {
        streamed = await streamLarge(res, 8 * 1024 * 1024, false);
        return;
      }
      return inner(req, res, s);
    };
    const file = await refusal(generateCloudMotion('mdm:humanml', { prompt: 'walk', fps: 20 }, { ...FAST, providers, maxBytes: 256 * 1024 }));
    assert.equal(file.code, 'PROVIDER_REJECTED');
    assert.match(file.message, /the motion file is larger than 262144 bytes/);
    assert.ok(streamed < 8 * 1024 * 1024, `the download was cut off (${streamed} bytes sent)`);
  });

  test('a job that never finishes ends in ENGINE_TIMEOUT at the deadline', async () => {
    route = (req, res) => (req.method === 'POST' ? sendJson(res, 202, { id: 'job-1' }) : sendJson(res, 200, { id: 'job-1', status: 'queued' }));
    const error = await refusal(generateCloudMotion('mdm:humanml', { prompt: 'walk', fps: 20 }, { ...FAST, providers, timeoutMs: 300 }));
    assert.equal(error.code, 'ENGINE_TIMEOUT');
  });

  test('only motion-http providers count as motion servers', () => {
    assert.equal(isMotionProviderSpec('mdm:humanml', providers), true);
    assert.equal(isMotionProviderSpec('open-motion', providers), true);
    assert.equal(isMotionProviderSpec('chat:gpt-4o', providers), false);
    assert.equal(isMotionProviderSpec('openai:gpt-4o-mini', providers), false);
    assert.equal(isMotionProviderSpec('stories260k', providers), false);
  });
});

describe('generate motion with a motion provider (motion.generate through the job runner)', () => {
  const motionArtifacts = async () => (await shenbi.store.artifacts.list()).filter((a) => a.kind === 'motion').length;

  test('the provider\'s joints become a labeled GLB + BVH with the same metrics as importing them; no plan', async () => {
    route = queued(() => succeeded(walk));
    const job = await shenbi.generate('motion', { model: 'mdm:humanml', prompt: 'a person walks forward', seed: 5 });
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const outputs = job.outputs as Record<string, unknown>;
    assert.equal(outputs.source, 'provider');
    assert.equal(outputs.plan, undefined, 'a provider makes no plan');
    assert.ok(Math.abs(Number(outputs.duration) - walk.length / 20) < 1e-6);
    const expected = measureClip(importHumanMl3d(new TextEncoder().encode(JSON.stringify(walk)), { fps: 20 }));
    assert.deepEqual(outputs.metrics, expected, 'measured like any imported motion');
    assert.ok(expected.footSkateCmPerS < 5, `the engine's own walk keeps its feet planted: ${expected.footSkateCmPerS} cm/s`);

    const { artifact: motion, bytes } = await shenbi.store.artifacts.read(String(outputs.motion));
    assert.equal(motion.mimeType, 'model/gltf-binary');
    assert.equal(bytes.readUInt32LE(0), 0x46546c67, 'GLB magic');
    const json = JSON.parse(bytes.toString('utf8', 20, 20 + bytes.readUInt32LE(12))) as { animations: unknown[]; asset: { extras?: Record<string, unknown> } };
    assert.equal(json.animations.length, 1);
    assert.ok(json.asset.extras?.aigcExplicitLabel !== undefined, 'the visible-label wording is in the GLB');
    const { artifact: bvh } = await shenbi.store.artifacts.read(String(outputs.bvh));
    assert.equal(bvh.mimeType, 'application/x-bvh');
    for (const artifact of [motion, bvh]) {
      assert.ok(artifact.labels.some((l) => l.type === 'aigc-implicit'), `${artifact.name} is labeled`);
      assert.equal(artifact.provenance.engine.id, 'cloud-motion:mdm');
      assert.equal(artifact.provenance.model?.name, 'mdm:humanml');
      const parameters = artifact.provenance.parameters as Record<string, unknown>;
      assert.equal(parameters.source, 'provider');
      assert.equal(parameters.providerRequestId, 'job-1');
    }
    assert.equal(server.requests.findLast((r) => r.method === 'POST')!.body.seed, 5);
  });

  test('a malformed answer fails the job and stores nothing; a plan with a motion server is INVALID_INPUT', async () => {
    const before = await motionArtifacts();
    route = queued(() => succeeded(walk.map((frame) => frame.slice(0, 20))));
    const job = await shenbi.generate('motion', { model: 'mdm:humanml', prompt: 'walk' }).catch((error: ShenbiError) => ({ status: 'failed', error }));
    assert.equal(job.status, 'failed');
    assert.equal((job.error as { code?: string }).code, 'MEDIA_INVALID');
    assert.equal(await motionArtifacts(), before, 'nothing stored');

    const first = server.requests.length;
    const planned = await shenbi.generate('motion', { model: 'mdm:humanml', plan: '{"actions": [{"action": "walk"}]}' }).catch((error: ShenbiError) => ({ status: 'failed', error }));
    assert.equal(planned.status, 'failed');
    assert.equal((planned.error as { code?: string }).code, 'INVALID_INPUT');
    assert.equal(server.requests.length, first, 'the server was not asked');
  });
});
