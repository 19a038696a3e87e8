/**
 * The canonical triangulation of the 468-point face mesh: 880 triangles, three point indices
 * each (MediaPipe's, as @vladmandic/human ships it in human.faceTriangulation). The same for
 * every face, so a renderer warps triangle by triangle between two landmark sets.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Human } from '@vladmandic/human';

const require = createRequire(import.meta.url);

let triangles: Uint16Array | undefined;

/**
 * Flat index triples (length 2640). The first call requires human's WASM build (≈ 150 ms,
 * it pulls in tfjs-core but starts no backend and loads no model); later calls return the
 * same array, so callers must not write into it.
 */
export function faceMeshTriangles(): Uint16Array {
  if (triangles === undefined) {
    // The package's exports map cannot name this build (see human-loader.ts): it is required by path.
    const wasmBuild = join(dirname(require.resolve('@vladmandic/human')), 'human.node-wasm.js');
    const { Human: HumanClass } = require(wasmBuild) as { Human: new () => Human };
    triangles = Uint16Array.from(new HumanClass().faceTriangulation);
  }
  return triangles;
}

/** The contract's name for faceMeshTriangles. */
export const FACE_MESH_TRIANGLES: () => Uint16Array = faceMeshTriangles;
