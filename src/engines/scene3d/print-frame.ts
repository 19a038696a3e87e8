/**
 * Printing formats (STL, 3MF) are millimetres with +Z up, as slicers expect; scenes are
 * metres with +Y up. This is a proper rotation (+90° about X), so triangle winding and
 * therefore outward normals are kept.
 */
export const MM_PER_M = 1000;

/** Scene (x, y, z) metres → print (x, −z, y) millimetres, written into `out` at `at`. */
export function toPrintFrame(positions: Float32Array, vertex: number, out: Float64Array | Float32Array, at: number): void {
  const o = vertex * 3;
  out[at] = positions[o]! * MM_PER_M;
  out[at + 1] = -positions[o + 2]! * MM_PER_M;
  out[at + 2] = positions[o + 1]! * MM_PER_M;
}
