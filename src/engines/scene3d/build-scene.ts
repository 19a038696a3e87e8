/**
 * The kernel's entry point: a scene program → solid geometry → model files and metrics.
 * `buildScene` runs the CPU work on the worker pool (never on the event loop that serves the
 * API); `buildSceneInThread` is the same work in the calling thread (the worker's task, the
 * bench). Same program and detail → byte-identical files.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';
import { offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import * as self from './build-scene.ts';
import { buildPartMeshes } from './build-parts.ts';
import { sceneMetrics } from './metrics.ts';
import type { PartMesh } from './part-mesh.ts';
import { DETAIL_LEVELS, type Detail, type SceneProgram, type SceneProgramInput } from './scene-program.ts';
import { MODEL_FORMATS, type BuildSceneOptions, type BuiltScene, type ModelFormat } from './types.ts';
import { validateSceneProgram } from './validate-program.ts';
import { sceneDocument, writeGlb, writeGltfJson } from './write-gltf.ts';
import { write3mf } from './write-3mf.ts';
import { writeStl } from './write-stl.ts';
import { writeUsdzFromGlb } from './write-usdz.ts';

const optionsSchema = z
  .object({
    detail: z.enum(Object.keys(DETAIL_LEVELS) as [Detail, ...Detail[]]),
    formats: z.array(z.enum(MODEL_FORMATS)).min(1).max(MODEL_FORMATS.length).optional(),
  })
  .strict();

const buildTask = offThreadTask(new URL(import.meta.url), self, 'buildSceneInThread');

/** Validates `program` (SCENE_INVALID naming every bad path) and builds it on the worker pool. */
export async function buildScene(program: SceneProgramInput, options: BuildSceneOptions, signal?: AbortSignal): Promise<BuiltScene> {
  const checked = parseOrThrow(optionsSchema, options, 'build options');
  return runOffThread(buildTask, [program, checked], signal === undefined ? {} : { signal });
}

/** The same build in this thread. `program` may be anything: it is validated here. */
export async function buildSceneInThread(program: unknown, options: BuildSceneOptions): Promise<BuiltScene> {
  const { detail, formats = ['glb'] } = parseOrThrow(optionsSchema, options, 'build options');
  const validated = validateSceneProgram(program);
  const parts = await buildPartMeshes(validated, detail);
  return { program: validated, files: await writeSceneFiles(validated, parts, formats), metrics: sceneMetrics(parts) };
}

/** The writer stage: built parts → the requested files (exported so the bench can time it apart from the kernel). */
export async function writeSceneFiles(program: SceneProgram, parts: readonly PartMesh[], formats: readonly ModelFormat[]): Promise<Partial<Record<ModelFormat, Uint8Array>>> {
  const files: Partial<Record<ModelFormat, Uint8Array>> = {};
  const wanted = new Set(formats);
  if (wanted.has('glb') || wanted.has('gltf') || wanted.has('usdz')) {
    const document = await sceneDocument(program, parts);
    const glb = wanted.has('glb') || wanted.has('usdz') ? await writeGlb(document) : undefined;
    if (wanted.has('glb')) files.glb = glb;
    if (wanted.has('gltf')) files.gltf = await writeGltfJson(document);
    // USDZ is converted from the GLB (three.js's exporter reads a three.js scene).
    if (glb !== undefined && wanted.has('usdz')) files.usdz = await writeUsdzFromGlb(glb);
  }
  if (wanted.has('stl')) files.stl = writeStl(parts);
  if (wanted.has('3mf')) files['3mf'] = write3mf(program, parts);
  return files;
}
