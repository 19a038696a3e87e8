import { randomUUID } from 'node:crypto';
import { ShenbiError } from '../../core/errors.ts';
import { boundedFetch, type ResponseLimits } from '../providers/bounded-fetch.ts';
import { SD_SERVER_RESPONSE_LIMITS } from './response-limits.ts';

/**
 * ComfyUI's server protocol: POST /prompt with an API-format workflow and a client id;
 * progress and completion arrive on the WebSocket /ws?clientId=…; the outputs are listed by
 * GET /history/{prompt_id} and fetched from /view. Errors in the workflow come back either
 * from /prompt (node_errors) or as an execution_error message.
 */
export type ComfyWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

export interface ComfyOptions {
  baseURL: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number, node: string | null) => void;
  /** Give up waiting for the workflow after this long. */
  timeoutMs?: number;
  /** Bounds on each HTTP answer (/prompt, /history, /view); default SD_SERVER_RESPONSE_LIMITS. */
  responseLimits?: ResponseLimits;
}

interface ComfyMessage {
  type: string;
  data?: { prompt_id?: string; value?: number; max?: number; node?: string | null; exception_message?: string; node_type?: string };
}

function unreachable(base: string, error: unknown): ShenbiError {
  return new ShenbiError('PROVIDER_UNAVAILABLE', `ComfyUI at ${base} is not reachable: ${(error as Error).message}`, { cause: error, hint: 'Start ComfyUI (python main.py --listen), or check the baseURL.' });
}

async function json(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const b = body as { error?: { message?: string; details?: string }; node_errors?: Record<string, { errors?: { message?: string; details?: string }[] }> };
    const nodeErrors = Object.entries(b.node_errors ?? {}).flatMap(([node, e]) => (e.errors ?? []).map((x) => `node ${node}: ${x.message ?? ''} ${x.details ?? ''}`.trim()));
    throw new ShenbiError('PROVIDER_REJECTED', `ComfyUI ${what} refused the workflow: ${[b.error?.message, b.error?.details, ...nodeErrors].filter(Boolean).join('; ') || String(text).slice(0, 300)}`, {
      details: { status: response.status, nodeErrors },
    });
  }
  return body;
}

/** Runs a workflow and returns the images its output nodes saved. */
export async function comfyRun(workflow: ComfyWorkflow, options: ComfyOptions): Promise<Buffer[]> {
  const base = options.baseURL.replace(/\/$/, '');
  const fetch = boundedFetch(options.responseLimits ?? SD_SERVER_RESPONSE_LIMITS);
  const withSignal = options.signal ? { signal: options.signal } : {};
  const clientId = randomUUID();
  const wsUrl = `${base.replace(/^http/, 'ws')}/ws?clientId=${clientId}`;
  // ws is imported on use: every command would otherwise load it at start-up (~70 ms).
  const { default: WebSocket } = await import('ws');
  const socket = new WebSocket(wsUrl);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error) => reject(unreachable(base, error)));
    });
    const messages: ComfyMessage[] = [];
    let wake: (() => void) | undefined;
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return; // preview frames
      try {
        messages.push(JSON.parse(raw.toString()) as ComfyMessage);
        wake?.();
      } catch {
        // ignore malformed frames
      }
    });
    let queued: { prompt_id?: string };
    try {
      queued = (await json(await fetch(`${base}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: workflow, client_id: clientId }), ...withSignal }), 'POST /prompt')) as { prompt_id?: string };
    } catch (error) {
      if (error instanceof ShenbiError) throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      throw unreachable(base, error);
    }
    const promptId = queued.prompt_id;
    if (!promptId) throw new ShenbiError('PROVIDER_REJECTED', 'ComfyUI queued nothing (no prompt_id)');

    const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
    for (;;) {
      options.signal?.throwIfAborted();
      const message = messages.shift();
      if (!message) {
        if (Date.now() > deadline) throw new ShenbiError('ENGINE_TIMEOUT', `ComfyUI did not finish the workflow within ${options.timeoutMs ?? 1_800_000} ms`);
        if (socket.readyState !== WebSocket.OPEN) throw new ShenbiError('PROVIDER_UNAVAILABLE', 'ComfyUI closed the progress connection before the workflow finished');
        await new Promise<void>((resolve) => {
          wake = resolve;
          const timer = setTimeout(resolve, 500);
          timer.unref();
          options.signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        continue;
      }
      const data = message.data ?? {};
      if (data.prompt_id !== undefined && data.prompt_id !== promptId) continue;
      if (message.type === 'progress' && data.max) options.onProgress?.(Math.min(1, (data.value ?? 0) / data.max), data.node ?? null);
      if (message.type === 'execution_error') throw new ShenbiError('PROVIDER_REJECTED', `ComfyUI workflow failed in ${data.node_type ?? `node ${data.node}`}: ${data.exception_message ?? 'error'}`);
      if (message.type === 'execution_interrupted') throw new ShenbiError('JOB_CANCELLED', 'ComfyUI interrupted the workflow');
      if ((message.type === 'executing' && data.node === null) || message.type === 'execution_success') break;
    }

    const history = (await json(await fetch(`${base}/history/${promptId}`, withSignal), 'GET /history')) as Record<string, { outputs?: Record<string, { images?: { filename: string; subfolder?: string; type?: string }[] }> }>;
    const outputs = history[promptId]?.outputs ?? {};
    const images: Buffer[] = [];
    for (const output of Object.values(outputs)) {
      for (const image of output.images ?? []) {
        const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder ?? '', type: image.type ?? 'output' });
        const response = await fetch(`${base}/view?${query}`, withSignal);
        if (!response.ok) throw new ShenbiError('PROVIDER_REJECTED', `ComfyUI /view failed for ${image.filename} (${response.status})`);
        images.push(Buffer.from(await response.arrayBuffer()));
      }
    }
    if (images.length === 0) throw new ShenbiError('PROVIDER_REJECTED', 'the ComfyUI workflow saved no images (does it end in a SaveImage node?)');
    return images;
  } finally {
    socket.terminate();
  }
}

/** A plain text-to-image workflow (checkpoint → CLIP text encodes → KSampler → VAE decode → save), in ComfyUI's API format. */
export function txt2imgWorkflow(options: { checkpoint: string; prompt: string; negativePrompt?: string; width: number; height: number; steps?: number; cfg?: number; seed: number; count?: number }): ComfyWorkflow {
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: options.checkpoint } },
    '2': { class_type: 'CLIPTextEncode', inputs: { text: options.prompt, clip: ['1', 1] } },
    '3': { class_type: 'CLIPTextEncode', inputs: { text: options.negativePrompt ?? '', clip: ['1', 1] } },
    '4': { class_type: 'EmptyLatentImage', inputs: { width: options.width, height: options.height, batch_size: options.count ?? 1 } },
    '5': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0], seed: options.seed, steps: options.steps ?? 20, cfg: options.cfg ?? 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1 } },
    '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'shenbi' } },
  };
}
