/**
 * What the kernel measured on the built parts, in millimetres (what printers and slicers
 * use). The bounding box is in the scene's frame (+Y up); STL and 3MF files are turned +Z up.
 */
import type { PartMesh } from './part-mesh.ts';
import type { Vec3 } from './scene-program.ts';
import type { SceneMetrics } from './types.ts';

const MM_PER_M = 1000;
const round = (value: number, places = 3): number => Number(value.toFixed(places));

export function sceneMetrics(parts: readonly PartMesh[]): SceneMetrics {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  let triangles = 0;
  let vertices = 0;
  let volumeMm3 = 0;
  for (const part of parts) {
    const { positions, indices } = part.solid;
    triangles += indices.length / 3;
    vertices += positions.length / 3;
    volumeMm3 += part.volumeM3 * MM_PER_M ** 3;
    for (let i = 0; i < positions.length; i += 3) {
      for (let axis = 0; axis < 3; axis++) {
        const value = positions[i + axis]!;
        if (value < min[axis]!) min[axis] = value;
        if (value > max[axis]!) max[axis] = value;
      }
    }
  }
  const mm = (v: Vec3): Vec3 => [round(v[0] * MM_PER_M), round(v[1] * MM_PER_M), round(v[2] * MM_PER_M)];
  const minMm = mm(min);
  const maxMm = mm(max);
  return {
    triangles,
    vertices,
    volumeMm3: round(volumeMm3),
    boundingBoxMm: { min: minMm, max: maxMm, size: [round(maxMm[0] - minMm[0]), round(maxMm[1] - minMm[1]), round(maxMm[2] - minMm[2])] },
    watertight: parts.every((part) => part.watertight),
    parts: parts.map((part) => ({ name: part.name, triangles: part.solid.indices.length / 3, volumeMm3: round(part.volumeM3 * MM_PER_M ** 3), watertight: part.watertight })),
  };
}
