import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import sharp from 'sharp';
import { WebSocketServer, type WebSocket } from 'ws';
import { ShenbiError } from '../../src/core/errors.ts';
import { a1111Generate } from '../../src/engines/sd-servers/automatic1111.ts';
import { comfyRun, txt2imgWorkflow } from '../../src/engines/sd-servers/comfyui.ts';

const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3366cc' } }).png().toBuffer();

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
}
function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>) {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, base, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test('AUTOMATIC1111: txt2img and img2img requests, progress while it runs, the seed it used', async () => {
  const seen: { url: string; body: Record<string, unknown> }[] = [];
  let progressCalls = 0;
  const a1111 = await listen(async (req, res) => {
    const b = await body(req);
    seen.push({ url: req.url ?? '', body: b });
    if (req.url?.startsWith('/sdapi/v1/progress')) {
      progressCalls++;
      return send(res, 200, { progress: 0.5, eta_relative: 1, state: {} });
    }
    if (req.url === '/sdapi/v1/txt2img' || req.url === '/sdapi/v1/img2img') {
      await new Promise((r) => setTimeout(r, 120)); // long enough to be asked for progress
      return send(res, 200, { images: [png.toString('base64')], parameters: {}, info: JSON.stringify({ seed: 1234 }) });
    }
    send(res, 404, { detail: 'Not Found' });
  });
  try {
    const fractions: number[] = [];
    const result = await a1111Generate({ prompt: 'a red lantern', negativePrompt: 'blurry', width: 512, height: 768, steps: 8, seed: 1234 }, { baseURL: a1111.base, onProgress: (f) => fractions.push(f), pollMs: 20 });
    assert.deepEqual(result.images[0], png);
    assert.equal(result.seed, 1234);
    assert.ok(progressCalls > 0 && fractions.includes(0.5));
    const t2i = seen.find((s) => s.url === '/sdapi/v1/txt2img')!.body;
    assert.deepEqual({ p: t2i.prompt, n: t2i.negative_prompt, w: t2i.width, h: t2i.height, s: t2i.steps, seed: t2i.seed }, { p: 'a red lantern', n: 'blurry', w: 512, h: 768, s: 8, seed: 1234 });
    await a1111Generate({ prompt: 'make it night', width: 64, height: 64, initImage: png, denoisingStrength: 0.4 }, { baseURL: a1111.base });
    const i2i = seen.find((s) => s.url === '/sdapi/v1/img2img')!.body;
    assert.deepEqual(i2i.init_images, [png.toString('base64')]);
    assert.equal(i2i.denoising_strength, 0.4);
  } finally {
    await a1111.close();
  }
});

test('AUTOMATIC1111 errors: an error body keeps its message; a server that is down is PROVIDER_UNAVAILABLE', async () => {
  const failing = await listen((req, res) => send(res, 500, { error: 'OutOfMemoryError', detail: '', errors: 'CUDA out of memory' }));
  try {
    await assert.rejects(a1111Generate({ prompt: 'x', width: 64, height: 64 }, { baseURL: failing.base }), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_UNAVAILABLE' && /CUDA out of memory/.test(e.message));
  } finally {
    await failing.close();
  }
  await assert.rejects(a1111Generate({ prompt: 'x', width: 64, height: 64 }, { baseURL: failing.base }), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_UNAVAILABLE');
});

test('AUTOMATIC1111 answers are bounded: a body over the byte limit is PROVIDER_REJECTED, a silent server ENGINE_TIMEOUT', async () => {
  const huge = await listen((_req, res) => send(res, 200, { images: ['x'.repeat(64 * 1024)], info: '{}' }));
  const silent = await listen(() => undefined);
  try {
    await assert.rejects(a1111Generate({ prompt: 'x', width: 64, height: 64 }, { baseURL: huge.base, responseLimits: { maxBytes: 16 * 1024 } }), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_REJECTED' && /larger than 16384 bytes/.test(e.message));
    await assert.rejects(a1111Generate({ prompt: 'x', width: 64, height: 64 }, { baseURL: silent.base, responseLimits: { headersMs: 200 } }), (e: unknown) => e instanceof ShenbiError && e.code === 'ENGINE_TIMEOUT');
  } finally {
    await huge.close();
    await silent.close();
  }
});

/** A ComfyUI stand-in: /prompt, /ws progress messages, /history, /view, and an error workflow. */
async function fakeComfy(view: (res: ServerResponse) => void = (res) => { res.writeHead(200, { 'content-type': 'image/png' }); res.end(png); }) {
  const sockets = new Map<string, WebSocket>();
  const prompts: Record<string, unknown>[] = [];
  const http = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/prompt') {
      const b = await body(req);
      prompts.push(b);
      const workflow = b.prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
      if (!Object.values(workflow).some((n) => n.class_type === 'SaveImage')) {
        return send(res, 400, { error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '' }, node_errors: {} });
      }
      const id = `p-${prompts.length}`;
      send(res, 200, { prompt_id: id, number: prompts.length, node_errors: {} });
      const ws = sockets.get(String(b.client_id))!;
      const failing = Object.values(workflow).some((n) => n.class_type === 'CheckpointLoaderSimple' && n.inputs.ckpt_name === 'missing.safetensors');
      setTimeout(() => {
        ws.send(JSON.stringify({ type: 'execution_start', data: { prompt_id: id } }));
        if (failing) {
          ws.send(JSON.stringify({ type: 'execution_error', data: { prompt_id: id, node_id: '1', node_type: 'CheckpointLoaderSimple', exception_message: 'Value not in list: ckpt_name' } }));
          return;
        }
        for (let v = 1; v <= 4; v++) ws.send(JSON.stringify({ type: 'progress', data: { value: v, max: 4, prompt_id: id, node: '5' } }));
        ws.send(Buffer.from([1, 2, 3]), { binary: true }); // a preview frame
        ws.send(JSON.stringify({ type: 'executing', data: { node: null, prompt_id: id } }));
      }, 20);
      return;
    }
    if (url.pathname.startsWith('/history/')) {
      const id = url.pathname.slice('/history/'.length);
      return send(res, 200, { [id]: { outputs: { '7': { images: [{ filename: 'shenbi_00001_.png', subfolder: '', type: 'output' }] } } } });
    }
    if (url.pathname === '/view' && url.searchParams.get('filename') === 'shenbi_00001_.png') return view(res);
    send(res, 404, {});
  });
  const wss = new WebSocketServer({ server: http.server, path: '/ws' });
  wss.on('connection', (ws, req) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('clientId') ?? '';
    sockets.set(id, ws);
    ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: id } }));
  });
  return { ...http, prompts, close: async () => { wss.close(); await http.close(); } };
}

test('ComfyUI: the workflow goes to /prompt, progress arrives over the WebSocket, images come from /history and /view', async () => {
  const comfy = await fakeComfy();
  try {
    const fractions: number[] = [];
    const workflow = txt2imgWorkflow({ checkpoint: 'sd_turbo.safetensors', prompt: 'a red lantern', width: 512, height: 512, steps: 4, seed: 7 });
    const images = await comfyRun(workflow, { baseURL: comfy.base, onProgress: (f) => fractions.push(f) });
    assert.deepEqual(images, [png]);
    assert.deepEqual(fractions, [0.25, 0.5, 0.75, 1]);
    const sent = comfy.prompts[0]! as { prompt: typeof workflow; client_id: string };
    assert.equal(sent.prompt['5']!.inputs.seed, 7);
    assert.match(sent.client_id, /^[0-9a-f-]{36}$/);
  } finally {
    await comfy.close();
  }
});

test('ComfyUI errors: an execution_error, a workflow refused by /prompt, and a server that is down', async () => {
  const comfy = await fakeComfy();
  try {
    const bad = txt2imgWorkflow({ checkpoint: 'missing.safetensors', prompt: 'x', width: 64, height: 64, seed: 1 });
    await assert.rejects(comfyRun(bad, { baseURL: comfy.base }), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_REJECTED' && /Value not in list: ckpt_name/.test(e.message));
    const noOutputs = { '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'x' } } };
    await assert.rejects(comfyRun(noOutputs, { baseURL: comfy.base }), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_REJECTED' && /no outputs/.test(e.message));
  } finally {
    await comfy.close();
  }
  await assert.rejects(comfyRun({}, { baseURL: comfy.base }), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_UNAVAILABLE');
});

test('ComfyUI answers are bounded: an image that stops arriving is ENGINE_TIMEOUT, not a job held forever', async () => {
  // Headers and a first byte, then nothing.
  const comfy = await fakeComfy((res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.write(png.subarray(0, 8));
  });
  try {
    const workflow = txt2imgWorkflow({ checkpoint: 'sd_turbo.safetensors', prompt: 'x', width: 64, height: 64, seed: 1 });
    await assert.rejects(comfyRun(workflow, { baseURL: comfy.base, responseLimits: { idleMs: 300 } }), (e: unknown) => e instanceof ShenbiError && e.code === 'ENGINE_TIMEOUT');
  } finally {
    await comfy.close();
  }
});

test('both servers work as AI SDK image models, chosen by provider:checkpoint like any provider', async () => {
  const { generateImage } = await import('ai');
  const { providerImageModel } = await import('../../src/engines/providers/index.ts');
  const comfy = await fakeComfy();
  try {
    const model = providerImageModel('box:sd_turbo.safetensors', { providers: [{ name: 'box', kind: 'comfyui', baseURL: comfy.base }] });
    const result = await generateImage({ model, prompt: 'a red lantern', size: '512x512', seed: 11, providerOptions: { sd: { negativePrompt: 'blurry', steps: 4 } }, maxRetries: 0 });
    assert.deepEqual(Buffer.from(result.images[0]!.uint8Array), png);
    const sent = comfy.prompts[0]! as { prompt: Record<string, { inputs: Record<string, unknown> }> };
    assert.equal(sent.prompt['1']!.inputs.ckpt_name, 'sd_turbo.safetensors');
    assert.equal(sent.prompt['3']!.inputs.text, 'blurry');
    assert.equal(sent.prompt['5']!.inputs.seed, 11);
  } finally {
    await comfy.close();
  }
});
