/** Binary STL: every part merged into one triangle list, millimetres, +Z up (print-frame.ts). */
import type { PartMesh } from './part-mesh.ts';
import { toPrintFrame } from './print-frame.ts';

const HEADER = 'Shenbi binary STL, millimetres, +Z up';

export function writeStl(parts: readonly PartMesh[]): Uint8Array {
  const triangles = parts.reduce((sum, part) => sum + part.solid.indices.length / 3, 0);
  const bytes = new Uint8Array(84 + 50 * triangles);
  bytes.set(new TextEncoder().encode(HEADER)); // must not start with "solid", which marks ASCII STL
  const view = new DataView(bytes.buffer);
  view.setUint32(80, triangles, true);
  const corner = new Float64Array(9);
  let at = 84;
  for (const { solid } of parts) {
    const { positions, indices } = solid;
    for (let t = 0; t < indices.length; t += 3) {
      for (let k = 0; k < 3; k++) toPrintFrame(positions, indices[t + k]!, corner, k * 3);
      const ux = corner[3]! - corner[0]!, uy = corner[4]! - corner[1]!, uz = corner[5]! - corner[2]!;
      const vx = corner[6]! - corner[0]!, vy = corner[7]! - corner[1]!, vz = corner[8]! - corner[2]!;
      let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
      const length = Math.hypot(nx, ny, nz);
      if (length > 0) (nx /= length), (ny /= length), (nz /= length);
      for (const value of [nx, ny, nz, ...corner]) {
        view.setFloat32(at, value, true);
        at += 4;
      }
      view.setUint16(at, 0, true);
      at += 2;
    }
  }
  return bytes;
}
