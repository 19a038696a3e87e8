/**
 * Runs signC2pa in a worker thread: c2pa-rs hashes and rewrites the whole file synchronously
 * inside WebAssembly (≈0.5–1 s for a 49 MB MP4), which would stall the main event loop.
 */
import { parentPort } from 'node:worker_threads';
import { loadSigningKeys } from '../keys.ts';
import { signC2pa, warmUpC2pa } from '../sign.ts';
import type { SignRequest, SignResponse } from './protocol.ts';

const port = parentPort;
let warm = false;
if (port === null) throw new Error('sign-worker.ts must run in a worker thread');

port.on('message', (request: SignRequest) => {
  void (async (): Promise<SignResponse> => {
    try {
      const keys = await loadSigningKeys(request.keysDir);
      // A fresh thread's wasm runs in V8's baseline tier: warming it first (≈100 ms) beats signing a large file cold (≈580 ms for 6 MB).
      if (request.warmUp === true || !warm) await warmUpC2pa(keys);
      warm = true;
      const result = await signC2pa(request.bytes, request.mimeType, { ...request.options, keys });
      return { id: request.id, ok: true, result };
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown; hint?: unknown; details?: unknown };
      return { id: request.id, ok: false, error: { code: typeof e.code === 'string' ? e.code : 'ENGINE_FAILED', message: String(e.message ?? error), ...(typeof e.hint === 'string' ? { hint: e.hint } : {}) } };
    }
  })().then((response) => {
    // Unsigned bytes go back too: they may be the caller's only copy (moved here, not copied).
    const transfer = response.ok ? [response.result.bytes.buffer as ArrayBuffer] : [];
    port.postMessage(response, transfer);
  });
});
