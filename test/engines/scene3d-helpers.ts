import assert from 'node:assert/strict';
import { NodeIO } from '@gltf-transform/core';
import { ShenbiError } from '../../src/core/errors.ts';
import type { SceneProgramInput, Shape } from '../../src/engines/scene3d/scene-program.ts';

/** A one-part program around `shape`. */
export function onePart(shape: Shape | Record<string, unknown>, name = 'solid'): SceneProgramInput {
  return { name: 'test', materials: { white: { baseColor: '#ffffff' } }, parts: [{ name, material: 'white', shape: shape as Shape }] };
}

/** A cup: a cylinder hollowed by a narrower one raised by the base thickness (metres). */
export const CUP = { radius: 0.04, height: 0.09, wall: 0.004, base: 0.005 } as const;

export function cupProgram(): SceneProgramInput {
  const { radius, height, wall, base } = CUP;
  return {
    name: 'cup',
    materials: { porcelain: { baseColor: '#f4efe6', roughness: 0.3 }, glaze: { baseColor: '#c8102e', opacity: 0.8, emissive: '#ff8000', emissiveStrength: 2 } },
    parts: [
      {
        name: 'body',
        material: 'porcelain',
        shape: {
          type: 'difference',
          base: { type: 'cylinder', radius, height },
          subtract: [{ type: 'cylinder', radius: radius - wall, height, transform: { translate: [0, base, 0] } }],
        },
      },
      { name: 'handle', material: 'glaze', shape: { type: 'torus', majorRadius: 0.025, minorRadius: 0.005, transform: { rotate: [90, 0, 0], translate: [radius + 0.015, 0.045, 0] } } },
    ],
  };
}

/** Volume of a prism over a regular n-gon inscribed in a circle of radius r: what the kernel makes of a cylinder. */
export function ngonPrismVolume(n: number, r: number, h: number): number {
  return (n / 2) * r * r * Math.sin((2 * Math.PI) / n) * h;
}

/** Binary STL volume (mm³) by the divergence theorem: Σ v0 · (v1 × v2) / 6 over the triangles. */
export function stlVolume(stl: Uint8Array): { volume: number; triangles: number } {
  const view = new DataView(stl.buffer, stl.byteOffset, stl.byteLength);
  const triangles = view.getUint32(80, true);
  assert.equal(stl.byteLength, 84 + 50 * triangles, 'STL length matches its triangle count');
  let volume = 0;
  for (let t = 0; t < triangles; t++) {
    const at = 84 + 50 * t + 12;
    const v = Array.from({ length: 9 }, (_, i) => view.getFloat32(at + 4 * i, true));
    const [ax, ay, az, bx, by, bz, cx, cy, cz] = v as [number, number, number, number, number, number, number, number, number];
    volume += (ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx)) / 6;
  }
  return { volume, triangles };
}

/** Asserts `run` rejects with ShenbiError SCENE_INVALID whose message matches `pattern`. */
export async function assertSceneInvalid(run: () => Promise<unknown>, pattern: RegExp): Promise<ShenbiError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ShenbiError, `expected a ShenbiError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.equal(caught.code, 'SCENE_INVALID', caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

/** Asserts no primitive of the GLB has two vertices with the same position and normal (what a weld would merge). */
export async function assertWelded(glb: Uint8Array): Promise<void> {
  const document = await new NodeIO().readBinary(glb);
  for (const mesh of document.getRoot().listMeshes()) {
    for (const primitive of mesh.listPrimitives()) {
      const positions = primitive.getAttribute('POSITION')!.getArray()!;
      const normals = primitive.getAttribute('NORMAL')!.getArray()!;
      const seen = new Set<string>();
      for (let v = 0; v < positions.length / 3; v++) seen.add(`${positions[3 * v]},${positions[3 * v + 1]},${positions[3 * v + 2]},${normals[3 * v]},${normals[3 * v + 1]},${normals[3 * v + 2]}`);
      assert.equal(seen.size, positions.length / 3, `mesh ${mesh.getName()} has vertices a weld would merge`);
    }
  }
}
