/**
 * The geometry kernel: manifold-3d's WASM module, loaded once per thread. Its booleans always
 * return closed 2-manifolds, which is what lets us promise watertight STL/3MF files.
 */
import Module, { type ManifoldToplevel } from 'manifold-3d';

export type Kernel = ManifoldToplevel;
export type { CrossSection, Manifold, Mesh } from 'manifold-3d';

let loading: Promise<Kernel> | undefined;

/** The kernel of this thread (instantiated on first use, ~20 ms). */
export function loadKernel(): Promise<Kernel> {
  loading ??= Module().then((wasm) => {
    wasm.setup();
    return wasm;
  });
  return loading;
}

/** Drops this thread's kernel so the next build instantiates a fresh one (after a WASM trap). */
export function resetKernel(): void {
  loading = undefined;
}

/** Anything the kernel allocates in WASM memory: it is not garbage-collected, so it must be deleted. */
export interface KernelObject {
  delete(): void;
}

/**
 * Owns every kernel object made during one build and deletes them all at the end, so an
 * error half-way through (or a rejected program) leaks nothing.
 */
export class KernelArena {
  private readonly owned: KernelObject[] = [];

  keep<T extends KernelObject>(object: T): T {
    this.owned.push(object);
    return object;
  }

  dispose(): void {
    for (const object of this.owned.splice(0)) object.delete();
  }
}
