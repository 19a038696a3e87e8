/**
 * A QuickJS WASM instance whose linear memory has a hard maximum. QuickJS's own
 * setMemoryLimit cannot be the bound here: its default allocator counts each block as
 * `malloc_usable_size(ptr) + 8`, and under Emscripten malloc_usable_size is 0, so the "byte"
 * limit counts 8 bytes per allocation whatever its size (a 32 MiB limit let a guest hold
 * 100 MiB of 1 MiB strings; QuickJS's memory dump says "8.0 per block"). It still refuses a
 * single allocation larger than the limit, so it stays set; the WebAssembly.Memory maximum
 * is what makes `memory.grow`, hence malloc, fail, and the guest get "out of memory".
 */
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';

const WASM_PAGE_BYTES = 64 * 1024;

/** The part of WebAssembly.Memory used here (this project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory } }).WebAssembly.Memory;
/** The build's initial memory (static data, C stack, first heap); instantiation needs at least this. */
export const QUICKJS_BASE_BYTES = 16 * 1024 * 1024;

export interface BoundedQuickJS {
  readonly module: QuickJSWASMModule;
  readonly memory: WasmMemory;
  /** The guest heap this instance was sized for (its memory maximum is this plus the base). */
  readonly heapBytes: number;
}

export async function newBoundedQuickJS(heapBytes: number): Promise<BoundedQuickJS> {
  const memory = new WasmMemory({
    initial: QUICKJS_BASE_BYTES / WASM_PAGE_BYTES,
    maximum: Math.ceil((QUICKJS_BASE_BYTES + heapBytes) / WASM_PAGE_BYTES),
  });
  const module = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmMemory: memory }));
  return { module, memory, heapBytes };
}

/** True when the instance's memory cannot grow by another page. */
export function atMemoryMaximum(quickjs: BoundedQuickJS): boolean {
  return quickjs.memory.buffer.byteLength + WASM_PAGE_BYTES > QUICKJS_BASE_BYTES + quickjs.heapBytes;
}
