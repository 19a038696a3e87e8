import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { NodeIO } from '@gltf-transform/core';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import { generateCloud3d, type Cloud3dOptions, type Cloud3dRequest } from '../../src/engines/cloud-3d/index.ts';
import type { ProviderConfig } from '../../src/engines/providers/index.ts';
import { webhookRegistry } from '../../src/engines/providers/webhook-registry.ts';
import { meshlessGlb, sendBytes, streamLarge, tinyGlb } from '../helpers/cloud-3d-fixtures.ts';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';

/**
 * Cloud 3D adapters (Meshy, Tripo, Hyper3D Rodin, fal, Replicate) against a 127.0.0.1 server that
 * speaks each API's wire protocol: submit, poll, download, provider failures, 429 with
 * Retry-After, and files that must be refused before anything is kept (not glTF, truncated,
 * meshless, oversized by Content-Length or by streaming).
 */

type Route = (req: RecordedRequest, res: ServerResponse, server: FakeServer) => void | Promise<void>;
let route: Route = (_req, res) => sendJson(res, 500, { detail: 'no route set' });
let server: FakeServer;
let glb: Uint8Array;
let png: Uint8Array;
let options: Cloud3dOptions;
const env = { TEST_MESHY: 'msy-test', TEST_TRIPO: 'tsk_test', TEST_RODIN: 'rodin-test', TEST_FAL: 'fal-test', TEST_REPLICATE: 'r8_test' };

before(async () => {
  server = await startFakeServer((req, res) => route(req, res, server));
  glb = await tinyGlb();
  png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c00' } }).png().toBuffer());
  const providers: ProviderConfig[] = [
    { name: 'meshy', kind: 'meshy', baseURL: `${server.baseURL}/meshy`, apiKeyEnv: 'TEST_MESHY' },
    { name: 'tripo', kind: 'tripo', baseURL: `${server.baseURL}/tripo`, apiKeyEnv: 'TEST_TRIPO' },
    { name: 'rodin', kind: 'rodin', baseURL: `${server.baseURL}/rodin`, apiKeyEnv: 'TEST_RODIN' },
    { name: 'fal', kind: 'fal', baseURL: `${server.baseURL}/fal`, apiKeyEnv: 'TEST_FAL' },
    { name: 'replicate', kind: 'replicate', baseURL: `${server.baseURL}/replicate/v1`, apiKeyEnv: 'TEST_REPLICATE' },
  ];
  options = { providers, env, pollMs: 10, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 3_000 } };
});

after(async () => {
  await server?.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

async function rejection(run: Promise<unknown>): Promise<ShenbiError> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof ShenbiError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

const calls = () => server.requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, '')}`);

/** Meshy: preview then refine, each polled; `file` answers the GLB download. */
function meshyRoute(file: Route, finalStatus: { status: string; task_error?: unknown } = { status: 'SUCCEEDED' }): Route {
  const polls = new Map<string, number>();
  return (req, res, s) => {
    if (req.method === 'POST' && req.url === '/meshy/openapi/v2/text-to-3d') return sendJson(res, 202, { result: req.body.mode === 'preview' ? 'prev-1' : 'ref-1' });
    if (req.method === 'POST' && req.url === '/meshy/openapi/v1/image-to-3d') return sendJson(res, 202, { result: 'img-1' });
    const task = /^\/meshy\/openapi\/v[12]\/(?:text|image)-to-3d\/([\w-]+)$/.exec(req.url);
    if (task) {
      const id = task[1]!;
      const n = (polls.get(id) ?? 0) + 1;
      polls.set(id, n);
      if (n === 1) return sendJson(res, 200, { id, status: 'PENDING', progress: 0, model_urls: {} });
      const done = id === 'prev-1' ? { status: 'SUCCEEDED' } : finalStatus;
      return sendJson(res, 200, { id, progress: 100, ...done, model_urls: done.status === 'SUCCEEDED' ? { glb: `${s.baseURL}/cdn/${id}.glb`, fbx: `${s.baseURL}/cdn/${id}.fbx` } : {}, thumbnail_url: `${s.baseURL}/cdn/${id}.png` });
    }
    if (req.url.startsWith('/cdn/')) return file(req, res, s);
    sendJson(res, 404, { message: 'Not found' });
  };
}

const serveGlb: Route = (_req, res) => sendBytes(res, glb);

describe('Meshy', () => {
  test('text-to-3D: preview, then refine, each polled to SUCCEEDED; the refined GLB is downloaded and parses', async () => {
    route = meshyRoute(serveGlb);
    const result = await generateCloud3d('meshy:meshy-6', { prompt: 'a red paper lantern', seed: 7 }, options);
    assert.deepEqual(calls(), [
      'POST /meshy/openapi/v2/text-to-3d', 'GET /meshy/openapi/v2/text-to-3d/prev-1', 'GET /meshy/openapi/v2/text-to-3d/prev-1',
      'POST /meshy/openapi/v2/text-to-3d', 'GET /meshy/openapi/v2/text-to-3d/ref-1', 'GET /meshy/openapi/v2/text-to-3d/ref-1',
      'GET /cdn/ref-1.glb',
    ]);
    const [preview, , , refine] = server.requests;
    assert.equal(preview!.headers.authorization, 'Bearer msy-test');
    assert.deepEqual(preview!.body, { mode: 'preview', prompt: 'a red paper lantern', ai_model: 'meshy-6', seed: 7 });
    assert.deepEqual(refine!.body, { mode: 'refine', preview_task_id: 'prev-1', enable_pbr: true });
    assert.equal(result.format, 'glb');
    assert.equal(result.requestId, 'ref-1');
    assert.deepEqual(Buffer.from(result.bytes), Buffer.from(glb));
    assert.equal((await new NodeIO().readBinary(result.bytes)).getRoot().listMeshes().length, 1);
  });

  test('meshy:<model>:preview stops after the untextured preview', async () => {
    route = meshyRoute(serveGlb);
    const result = await generateCloud3d('meshy:latest:preview', { prompt: 'a teacup' }, options);
    assert.equal(result.requestId, 'prev-1');
    assert.equal(calls().filter((c) => c.startsWith('POST')).length, 1);
  });

  test('image-to-3D: the PNG goes as a data URI to /openapi/v1/image-to-3d', async () => {
    route = meshyRoute(serveGlb);
    const result = await generateCloud3d('meshy', { image: { bytes: png, mediaType: 'image/png' } }, options);
    assert.equal(result.requestId, 'img-1');
    const submit = server.requests[0]!;
    assert.equal(submit.url, '/meshy/openapi/v1/image-to-3d');
    assert.equal(submit.body.image_url, `data:image/png;base64,${Buffer.from(png).toString('base64')}`);
    assert.equal(submit.body.should_texture, true);
  });

  test('a FAILED task is PROVIDER_REJECTED with Meshy’s message; nothing is downloaded', async () => {
    route = meshyRoute(serveGlb, { status: 'FAILED', task_error: { message: 'The server is busy. Please try again later.' } });
    const error = await rejection(generateCloud3d('meshy:latest', { prompt: 'x' }, options));
    assert.equal(error.code, 'PROVIDER_REJECTED');
    assert.match(error.message, /ref-1 FAILED: The server is busy/);
    assert.ok(!calls().some((c) => c.includes('/cdn/')));
  });

  test('429 with Retry-After: 1 is waited out, then the task is created once', async () => {
    const inner = meshyRoute(serveGlb);
    let limited = false;
    route = (req, res, s) => {
      if (req.method === 'POST' && !limited) {
        limited = true;
        return sendJson(res, 429, { message: 'Too many requests' }, { 'retry-after': '1' });
      }
      return inner(req, res, s);
    };
    const started = Date.now();
    const result = await generateCloud3d('meshy:latest', { prompt: 'a vase' }, options);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    assert.equal(result.requestId, 'ref-1');
    assert.equal(calls().filter((c) => c === 'POST /meshy/openapi/v2/text-to-3d').length, 3, '429, preview, refine');
  });

  test('a task that never finishes ends with ENGINE_TIMEOUT at the deadline, polls slowing down meanwhile', async () => {
    route = (req, res) => (req.method === 'POST' ? sendJson(res, 202, { result: 'slow' }) : sendJson(res, 200, { id: 'slow', status: 'IN_PROGRESS', progress: 10 }));
    const error = await rejection(generateCloud3d('meshy:latest', { prompt: 'x' }, { ...options, pollMs: 20, timeoutMs: 1_500 }));
    assert.equal(error.code, 'ENGINE_TIMEOUT');
    const polls = calls().filter((c) => c.startsWith('GET')).length;
    // Without backoff, 1500 ms / 20 ms would be ~75 polls; with it (20, 30, 45, 67, 80, 80 …) at most ~21.
    assert.ok(polls >= 2 && polls <= 26, `${polls} polls`);
  });

  test('a non-glTF download (an HTML page) is MEDIA_INVALID', async () => {
    route = meshyRoute((_req, res) => sendBytes(res, Buffer.from('<!doctype html><html><body>Access denied</body></html>'), 'text/html'));
    const error = await rejection(generateCloud3d('meshy:latest:preview', { prompt: 'x' }, options));
    assert.equal(error.code, 'MEDIA_INVALID');
    assert.match(error.message, /neither a GLB nor glTF JSON/);
  });

  test('a truncated GLB is MEDIA_INVALID', async () => {
    route = meshyRoute((_req, res) => sendBytes(res, glb.subarray(0, glb.byteLength - 24)));
    const error = await rejection(generateCloud3d('meshy:latest:preview', { prompt: 'x' }, options));
    assert.equal(error.code, 'MEDIA_INVALID');
    assert.match(error.message, /truncated/);
  });

  test('a GLB without any mesh is MEDIA_INVALID', async () => {
    const empty = await meshlessGlb();
    route = meshyRoute((_req, res) => sendBytes(res, empty));
    const error = await rejection(generateCloud3d('meshy:latest:preview', { prompt: 'x' }, options));
    assert.equal(error.code, 'MEDIA_INVALID');
    assert.match(error.message, /no mesh/);
  });

  test('an oversized file by Content-Length is refused before its body is read', async () => {
    let sent = 0;
    const total = 64 * 1024 * 1024;
    route = meshyRoute(async (_req, res) => {
      sent = await streamLarge(res, total, true);
    });
    const error = await rejection(generateCloud3d('meshy:latest:preview', { prompt: 'x' }, { ...options, maxBytes: 1024 * 1024 }));
    assert.equal(error.code, 'PROVIDER_REJECTED');
    assert.match(error.message, /larger than 1048576 bytes/);
    await waitFor(() => sent > 0);
    assert.ok(sent < total / 2, `the download was cut off (${sent} of ${total} bytes written)`);
  });

  test('an oversized file streamed without Content-Length is cut off at the cap', async () => {
    let sent = 0;
    const total = 64 * 1024 * 1024;
    route = meshyRoute(async (_req, res) => {
      sent = await streamLarge(res, total, false);
    });
    const error = await rejection(generateCloud3d('meshy:latest:preview', { prompt: 'x' }, { ...options, maxBytes: 1024 * 1024 }));
    assert.equal(error.code, 'PROVIDER_REJECTED');
    assert.match(error.message, /larger than 1048576 bytes/);
    await waitFor(() => sent > 0);
    assert.ok(sent < total / 2, `the download was cut off (${sent} of ${total} bytes written)`);
  });
});

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

describe('Tripo', () => {
  function tripoRoute(final: Record<string, unknown>): Route {
    let polls = 0;
    return (req, res, s) => {
      if (req.method === 'POST' && req.url === '/tripo/v2/openapi/upload') return sendJson(res, 200, { code: 0, data: { image_token: 'tok-9' } });
      if (req.method === 'POST' && req.url === '/tripo/v2/openapi/task') return sendJson(res, 200, { code: 0, data: { task_id: 't-1' } });
      if (req.url === '/tripo/v2/openapi/task/t-1') {
        polls++;
        if (polls === 1) return sendJson(res, 200, { code: 0, data: { task_id: 't-1', type: 'text_to_model', status: 'queued', progress: 0, output: {} } });
        if (polls === 2) return sendJson(res, 200, { code: 0, data: { task_id: 't-1', type: 'text_to_model', status: 'running', progress: 50, output: {} } });
        return sendJson(res, 200, { code: 0, data: { task_id: 't-1', progress: 100, output: { pbr_model: `${s.baseURL}/tcdn/t-1.glb`, rendered_image: `${s.baseURL}/tcdn/t-1.webp` }, ...final } });
      }
      if (req.url === '/tcdn/t-1.glb') return sendBytes(res, glb);
      sendJson(res, 404, { code: 2000, message: 'not found' });
    };
  }

  test('text_to_model: task created, polled through queued/running to success, pbr_model downloaded', async () => {
    route = tripoRoute({ status: 'success' });
    const result = await generateCloud3d('tripo:v2.5-20250123', { prompt: 'a sword', seed: 3 }, options);
    assert.deepEqual(calls(), ['POST /tripo/v2/openapi/task', 'GET /tripo/v2/openapi/task/t-1', 'GET /tripo/v2/openapi/task/t-1', 'GET /tripo/v2/openapi/task/t-1', 'GET /tcdn/t-1.glb']);
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer tsk_test');
    assert.deepEqual(server.requests[0]!.body, { type: 'text_to_model', prompt: 'a sword', model_version: 'v2.5-20250123', model_seed: 3 });
    assert.equal(result.requestId, 't-1');
  });

  test('image_to_model: the PNG is uploaded as multipart, its token names the file', async () => {
    route = tripoRoute({ status: 'success' });
    await generateCloud3d('tripo', { image: { bytes: png, mediaType: 'image/png' } }, options);
    const upload = server.requests[0]!;
    assert.equal(upload.url, '/tripo/v2/openapi/upload');
    assert.match(String(upload.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.ok(upload.raw.includes(Buffer.from(png)), 'the PNG bytes are in the upload');
    assert.match(upload.raw.toString('latin1'), /name="file"; filename="image\.png"/);
    assert.deepEqual(server.requests[1]!.body, { type: 'image_to_model', file: { type: 'png', file_token: 'tok-9' } });
  });

  test('a failed task is PROVIDER_REJECTED; an error envelope (code ≠ 0) too', async () => {
    route = tripoRoute({ status: 'failed' });
    const failed = await rejection(generateCloud3d('tripo', { prompt: 'x' }, options));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /t-1 failed/);
    route = (_req, res) => sendJson(res, 200, { code: 2010, message: 'You don\'t have enough credit' });
    const refused = await rejection(generateCloud3d('tripo', { prompt: 'x' }, options));
    assert.equal(refused.code, 'PROVIDER_REJECTED');
    assert.match(refused.message, /enough credit/);
  });

  test('a 429 while polling is retried after Retry-After; the task is not created twice', async () => {
    const inner = tripoRoute({ status: 'success' });
    let limited = false;
    route = (req, res, s) => {
      if (req.method === 'GET' && req.url.startsWith('/tripo/v2/openapi/task/') && !limited) {
        limited = true;
        return sendJson(res, 429, { code: 2000, message: 'exceeded generation rate limit' }, { 'retry-after': '1' });
      }
      return inner(req, res, s);
    };
    const started = Date.now();
    await generateCloud3d('tripo', { prompt: 'x' }, options);
    assert.ok(Date.now() - started >= 900);
    assert.equal(calls().filter((c) => c.startsWith('POST')).length, 1);
  });
});

describe('Hyper3D Rodin', () => {
  function rodinRoute(statuses: string[][]): Route {
    let poll = 0;
    return (req, res, s) => {
      if (req.method === 'POST' && req.url === '/rodin/api/v2/rodin') return sendJson(res, 201, { error: null, message: 'Submitted.', uuid: 'r-uuid', jobs: { uuids: ['j1', 'j2'], subscription_key: 'sub-1' } });
      if (req.method === 'POST' && req.url === '/rodin/api/v2/status') {
        const now = statuses[Math.min(poll++, statuses.length - 1)]!;
        return sendJson(res, 200, { jobs: now.map((status, i) => ({ uuid: `j${i + 1}`, status })) });
      }
      if (req.method === 'POST' && req.url === '/rodin/api/v2/download') return sendJson(res, 200, { list: [{ url: `${s.baseURL}/rcdn/preview.webp`, name: 'preview.webp' }, { url: `${s.baseURL}/rcdn/base_basic_pbr.glb`, name: 'base_basic_pbr.glb' }] });
      if (req.url === '/rcdn/base_basic_pbr.glb') return sendBytes(res, glb);
      sendJson(res, 404, { error: 'NOT_FOUND' });
    };
  }

  test('multipart submit, status by subscription_key until every job is Done, GLB from the download list', async () => {
    route = rodinRoute([['Waiting', 'Waiting'], ['Generating', 'Done'], ['Done', 'Done']]);
    const result = await generateCloud3d('rodin:Gen-2', { prompt: 'a pagoda', image: { bytes: png, mediaType: 'image/png' }, seed: 70_000 }, options);
    assert.deepEqual(calls(), ['POST /rodin/api/v2/rodin', 'POST /rodin/api/v2/status', 'POST /rodin/api/v2/status', 'POST /rodin/api/v2/status', 'POST /rodin/api/v2/download', 'GET /rcdn/base_basic_pbr.glb']);
    const submit = server.requests[0]!;
    assert.equal(submit.headers.authorization, 'Bearer rodin-test');
    const form = submit.raw.toString('latin1');
    for (const [field, value] of [['prompt', 'a pagoda'], ['tier', 'Gen-2'], ['geometry_file_format', 'glb'], ['seed', String(70_000 % 65536)]]) {
      assert.match(form, new RegExp(`name="${field}"\\r\\n\\r\\n${value}\\r\\n`), field);
    }
    assert.match(form, /name="images"; filename="image\.png"/);
    assert.deepEqual(server.requests[1]!.body, { subscription_key: 'sub-1' });
    assert.deepEqual(server.requests[4]!.body, { task_uuid: 'r-uuid' });
    assert.equal(result.requestId, 'r-uuid');
  });

  test('a Failed job is PROVIDER_REJECTED; an error field in the answer too', async () => {
    route = rodinRoute([['Generating', 'Failed']]);
    const failed = await rejection(generateCloud3d('rodin', { prompt: 'x' }, options));
    assert.equal(failed.code, 'PROVIDER_REJECTED');
    assert.match(failed.message, /Failed/);
    route = (_req, res) => sendJson(res, 200, { error: 'INSUFFICIENT_FUND', message: 'not enough credits' });
    const refused = await rejection(generateCloud3d('rodin', { prompt: 'x' }, options));
    assert.equal(refused.code, 'PROVIDER_REJECTED');
    assert.match(refused.message, /INSUFFICIENT_FUND/);
  });
});

describe('fal queue', () => {
  function falRoute(model: string, final: Record<string, unknown> = { status: 'COMPLETED' }): Route {
    let polls = 0;
    return (req, res, s) => {
      const base = `${s.baseURL}/fal/${model}/requests/q1`;
      if (req.method === 'POST' && req.url.startsWith(`/fal/${model}`)) return sendJson(res, 200, { request_id: 'q1', status_url: `${base}/status`, response_url: base, cancel_url: `${base}/cancel` });
      if (req.url === `/fal/${model}/requests/q1/status`) return sendJson(res, 200, ++polls < 2 ? { status: 'IN_QUEUE', queue_position: 0 } : final);
      if (req.url === `/fal/${model}/requests/q1`) return sendJson(res, 200, { model_mesh: { url: `${s.baseURL}/fmedia/out.glb`, content_type: 'model/gltf-binary', file_name: 'out.glb', file_size: glb.byteLength }, timings: {} });
      if (req.url === '/fmedia/out.glb') return sendBytes(res, glb);
      sendJson(res, 404, { detail: 'Not found' });
    };
  }

  test('TRELLIS: image_url as a data URI, Key auth, status to COMPLETED, model_mesh downloaded', async () => {
    route = falRoute('fal-ai/trellis');
    const result = await generateCloud3d('fal:fal-ai/trellis', { image: { bytes: png, mediaType: 'image/png' }, seed: 5 }, options);
    assert.deepEqual(calls(), ['POST /fal/fal-ai/trellis', 'GET /fal/fal-ai/trellis/requests/q1/status', 'GET /fal/fal-ai/trellis/requests/q1/status', 'GET /fal/fal-ai/trellis/requests/q1', 'GET /fmedia/out.glb']);
    assert.equal(server.requests[0]!.headers.authorization, 'Key fal-test');
    assert.deepEqual(server.requests[0]!.body, { image_url: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, seed: 5 });
    assert.equal(result.requestId, 'q1');
  });

  test('Hunyuan3D v2 takes input_image_url; a text-only request to an image model is INVALID_INPUT before any call', async () => {
    route = falRoute('fal-ai/hunyuan3d/v2');
    await generateCloud3d('fal:fal-ai/hunyuan3d/v2', { image: { bytes: png, mediaType: 'image/png' } }, options);
    assert.equal(typeof server.requests[0]!.body.input_image_url, 'string');
    server.requests.length = 0;
    const error = await rejection(generateCloud3d('fal:fal-ai/trellis', { prompt: 'a chair' }, options));
    assert.equal(error.code, 'INVALID_INPUT');
    assert.equal(server.requests.length, 0);
  });

  test('a failed request is PROVIDER_REJECTED', async () => {
    route = falRoute('fal-ai/trellis', { status: 'ERROR', error: 'image could not be segmented' });
    const error = await rejection(generateCloud3d('fal:fal-ai/trellis', { image: { bytes: png, mediaType: 'image/png' } }, options));
    assert.equal(error.code, 'PROVIDER_REJECTED');
    assert.match(error.message, /could not be segmented/);
  });

  test('with a webhook receiver, the submit names fal_webhook and the delivered payload replaces polling', async () => {
    webhookRegistry.setReceiver('https://shenbi.example');
    try {
      route = (req, res, s) => {
        if (req.method === 'POST' && req.url.startsWith('/fal/fal-ai/trellis?')) {
          const hook = new URL(new URL(req.url, s.baseURL).searchParams.get('fal_webhook')!);
          const token = hook.pathname.split('/').at(-1)!;
          sendJson(res, 200, { request_id: 'q7', status_url: `${s.baseURL}/fal/never`, response_url: `${s.baseURL}/fal/never` });
          // fal calls the webhook when the request completes.
          setTimeout(() => webhookRegistry.deliver('fal', token, new Headers(), JSON.stringify({ request_id: 'q7', status: 'OK', payload: { model_mesh: { url: `${s.baseURL}/fmedia/out.glb` } } })), 20);
          return;
        }
        if (req.url === '/fmedia/out.glb') return sendBytes(res, glb);
        sendJson(res, 404, { detail: 'Not found' });
      };
      const result = await generateCloud3d('fal:fal-ai/trellis', { image: { bytes: png, mediaType: 'image/png' } }, { ...options, webhookWaitMs: 10_000 });
      assert.equal(result.requestId, 'q7');
      assert.deepEqual(calls(), ['POST /fal/fal-ai/trellis', 'GET /fmedia/out.glb'], 'no polls');
      assert.match(server.requests[0]!.url, /fal_webhook=https%3A%2F%2Fshenbi\.example%2Fapi%2Fwebhooks%2Ffal%2F/);
    } finally {
      webhookRegistry.setReceiver(undefined);
    }
  });
});

describe('Replicate', () => {
  test('firtoz/trellis:<version>: images as data URIs, prediction polled to succeeded, model_file downloaded', async () => {
    let polls = 0;
    route = (req, res, s) => {
      if (req.method === 'POST' && req.url === '/replicate/v1/predictions') return sendJson(res, 201, { id: 'p1', status: 'starting', urls: { get: `${s.baseURL}/replicate/v1/predictions/p1` } });
      if (req.url === '/replicate/v1/predictions/p1') {
        return sendJson(res, 200, ++polls < 2 ? { id: 'p1', status: 'processing' } : { id: 'p1', status: 'succeeded', output: { color_video: `${s.baseURL}/delivery/v.mp4`, model_file: `${s.baseURL}/delivery/output.glb`, gaussian_ply: null } });
      }
      if (req.url === '/delivery/output.glb') return sendBytes(res, glb);
      sendJson(res, 404, { detail: 'Not found.' });
    };
    const result = await generateCloud3d('replicate:firtoz/trellis:e8f6c45206993f297372f5436b90350817bd9b4a0d52d2a76df50c1c8afa2b3c', { image: { bytes: png, mediaType: 'image/png' }, seed: 1 }, options);
    assert.deepEqual(calls(), ['POST /replicate/v1/predictions', 'GET /replicate/v1/predictions/p1', 'GET /replicate/v1/predictions/p1', 'GET /delivery/output.glb']);
    const submit = server.requests[0]!;
    assert.equal(submit.headers.authorization, 'Bearer r8_test');
    assert.equal(submit.body.version, 'e8f6c45206993f297372f5436b90350817bd9b4a0d52d2a76df50c1c8afa2b3c');
    assert.deepEqual((submit.body.input as Record<string, unknown>).images, [`data:image/png;base64,${Buffer.from(png).toString('base64')}`]);
    assert.equal(result.requestId, 'p1');
  });

  test('a failed prediction is PROVIDER_REJECTED with its error', async () => {
    route = (req, res) => (req.method === 'POST' ? sendJson(res, 201, { id: 'p2', status: 'failed', error: 'CUDA out of memory' }) : sendJson(res, 404, {}));
    const error = await rejection(generateCloud3d('replicate:acme/text-to-mesh', { prompt: 'a tree' } satisfies Cloud3dRequest, options));
    assert.equal(error.code, 'PROVIDER_REJECTED');
    assert.match(error.message, /CUDA out of memory/);
  });
});
