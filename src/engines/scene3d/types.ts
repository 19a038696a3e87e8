import type { Detail, SceneProgram, SceneProgramInput, Vec3 } from './scene-program.ts';

/** The file formats a built scene can be written as. GLB is the default and the one labeled in place. */
export const MODEL_FORMATS = ['glb', 'gltf', 'stl', '3mf', 'usdz'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export const MODEL_MIME_TYPES: Readonly<Record<ModelFormat, string>> = {
  glb: 'model/gltf-binary',
  gltf: 'model/gltf+json',
  stl: 'model/stl',
  '3mf': 'model/3mf',
  /** USD package for Apple AR (Quick Look), written from the GLB (write-usdz.ts). */
  usdz: 'model/vnd.usdz+zip',
};

/** What the kernel measured on the built solids. Lengths in millimetres (what printers and slicers use). */
export interface SceneMetrics {
  triangles: number;
  vertices: number;
  /** Sum over parts, mm³. Parts that overlap are counted once each. */
  volumeMm3: number;
  boundingBoxMm: { min: Vec3; max: Vec3; size: Vec3 };
  /** Every part is a closed 2-manifold (the kernel's own check). */
  watertight: boolean;
  parts: Array<{ name: string; triangles: number; volumeMm3: number; watertight: boolean }>;
}

export interface BuildSceneOptions {
  detail: Detail;
  /** Formats to write; default ['glb']. */
  formats?: readonly ModelFormat[];
}

export interface BuiltScene {
  /** The validated program with defaults filled in: stored beside the model so it can be edited and rebuilt. */
  program: SceneProgram;
  files: Partial<Record<ModelFormat, Uint8Array>>;
  metrics: SceneMetrics;
}

export type { Detail, SceneProgram, SceneProgramInput };
