/**
 * A built part as plain arrays (structured-cloneable, ready for the writers): the kernel's
 * closed mesh for printing formats and metrics, and a copy with normals split at sharp edges
 * (so a box has flat faces and a sphere looks round) for glTF.
 */
import type { KernelArena, Manifold } from './manifold-kernel.ts';

export interface TriangleMesh {
  /** x, y, z per vertex, metres, +Y up. */
  positions: Float32Array;
  indices: Uint32Array;
}

export interface PartMesh {
  name: string;
  material: string;
  /** The kernel's own vertices: every edge shared by exactly two triangles. */
  solid: TriangleMesh;
  /** Vertices split where normals differ, for rendering. */
  shaded: TriangleMesh & { normals: Float32Array };
  volumeM3: number;
  /** The kernel reported no error and the mesh is a closed, consistently oriented 2-manifold. */
  watertight: boolean;
}

/** Edges meeting at more than this angle (degrees) are drawn sharp. */
const SHARP_ANGLE = 50;

export function partMesh(name: string, material: string, solid: Manifold, arena: KernelArena): PartMesh {
  const mesh = solid.getMesh();
  // getMesh() returns arrays with their own buffers (copied out of WASM memory): safe to keep and to transfer.
  const closed: TriangleMesh = { positions: mesh.vertProperties, indices: mesh.triVerts };
  const withNormals = arena.keep(solid.calculateNormals(0, SHARP_ANGLE)).getMesh();
  const stride = withNormals.numProp;
  const count = withNormals.numVert;
  const properties = withNormals.vertProperties;
  const positions = new Float32Array(count * 3);
  const normals = new Float32Array(count * 3);
  for (let v = 0, o = 0, w = 0; v < count; v++, o += stride, w += 3) {
    positions[w] = properties[o]!;
    positions[w + 1] = properties[o + 1]!;
    positions[w + 2] = properties[o + 2]!;
    const nx = properties[o + 3]!, ny = properties[o + 4]!, nz = properties[o + 5]!;
    const length = Math.sqrt(nx * nx + ny * ny + nz * nz);
    // Float32 normals from the kernel can sit just outside the validator's unit-length tolerance: renormalise.
    if (length > 0) (normals[w] = nx / length), (normals[w + 1] = ny / length), (normals[w + 2] = nz / length);
    else normals[w + 1] = 1;
  }
  return {
    name,
    material,
    solid: closed,
    shaded: { positions, normals, indices: withNormals.triVerts },
    volumeM3: solid.volume(),
    watertight: solid.status() === 'NoError' && isClosedManifold(closed),
  };
}

/**
 * Every directed edge appears exactly once and so does its reverse: the surface is closed,
 * consistently oriented and no edge is shared by three faces. Outgoing edges are bucketed per
 * vertex (a handful each), so the check is linear: a few ms for 100,000 triangles.
 */
export function isClosedManifold(mesh: TriangleMesh): boolean {
  const { indices } = mesh;
  if (indices.length === 0 || indices.length % 3 !== 0) return false;
  const vertexCount = mesh.positions.length / 3;
  const start = new Uint32Array(vertexCount + 1);
  for (const a of indices) {
    if (a >= vertexCount) return false;
    start[a + 1]!++;
  }
  for (let v = 0; v < vertexCount; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, vertexCount);
  const target = new Uint32Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = indices[t + k]!;
      const b = indices[t + ((k + 1) % 3)]!;
      if (a === b) return false;
      target[fill[a]!++] = b;
    }
  }
  const count = (from: number, to: number): number => {
    let n = 0;
    for (let i = start[from]!; i < start[from + 1]!; i++) if (target[i] === to) n++;
    return n;
  };
  for (let a = 0; a < vertexCount; a++) {
    for (let i = start[a]!; i < start[a + 1]!; i++) {
      const b = target[i]!;
      if (count(a, b) !== 1 || count(b, a) !== 1) return false;
    }
  }
  return true;
}
