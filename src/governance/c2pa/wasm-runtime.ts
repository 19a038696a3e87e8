/**
 * c2pa-rs compiled to WebAssembly (@contentauth/c2pa-wasm, pinned 0.13.3), started once per
 * process. Its builder reads the asset through the browser's Blob + FileReaderSync; Node has
 * no FileReaderSync, so the asset is handed over as an in-memory blob with a synchronous
 * reader installed beside it (only when the global is absent).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync } from '@contentauth/c2pa-wasm';

/** What the wasm glue calls on a source blob: size, slice, and a sync read of a slice. */
export class BytesBlob {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  slice(start?: number, end?: number): BytesBlob {
    return new BytesBlob(this.bytes.subarray(start ?? 0, end ?? this.bytes.byteLength));
  }
  /** Typed as the DOM Blob the wasm signatures declare; it only ever uses size/slice. */
  asBlob(): Blob {
    return this as unknown as Blob;
  }
}

class BytesFileReaderSync {
  readAsArrayBuffer(blob: BytesBlob | Blob): ArrayBuffer {
    if (blob instanceof BytesBlob) {
      const { bytes } = blob;
      // c2pa-rs copies what it reads into wasm memory and never writes here: a whole buffer goes as is (one 20 MB copy fewer).
      if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer;
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }
    throw new TypeError('FileReaderSync shim reads only in-memory BytesBlob sources');
  }
}

let started = false;

/** Instantiates the wasm module (≈35 ms, once) and installs the Node shim. */
export function ensureC2paWasm(): void {
  if (started) return;
  const scope = globalThis as { FileReaderSync?: unknown };
  if (scope.FileReaderSync === undefined) scope.FileReaderSync = BytesFileReaderSync;
  const wasmPath = createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm');
  initSync({ module: readFileSync(wasmPath) });
  started = true;
}

/**
 * c2pa-rs settings for every builder and reader: nothing may reach the network (no OCSP, no
 * remote manifests, no timestamp authority), and the builder's own re-read after signing is
 * off (read.ts verifies when asked).
 */
export function c2paSettings(extra: { trustAnchorsPem?: string } = {}): string {
  return JSON.stringify({
    verify: {
      verify_after_sign: false,
      verify_trust: extra.trustAnchorsPem !== undefined,
      ocsp_fetch: false,
      remote_manifest_fetch: false,
    },
    ...(extra.trustAnchorsPem === undefined ? {} : { trust: { user_anchors: extra.trustAnchorsPem } }),
  });
}
