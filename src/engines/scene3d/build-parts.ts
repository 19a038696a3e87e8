/**
 * The kernel stage of a build: a validated program → one closed mesh per part. Bounds the
 * work first (expand.ts), then builds part by part, refusing a part the booleans emptied and
 * stopping as soon as the triangle budget of the detail level is passed. Every kernel object
 * is deleted before returning, whatever happened.
 */
import { ShenbiError } from '../../core/errors.ts';
import { analyseProgram } from './expand.ts';
import { KernelArena, loadKernel, resetKernel } from './manifold-kernel.ts';
import { partMesh, type PartMesh } from './part-mesh.ts';
import { loadFontkit } from './text-font.ts';
import { DETAIL_LEVELS, type Detail, type SceneProgram } from './scene-program.ts';
import { partShapeSolid, placed, type SolidContext } from './solids.ts';
import { invalid } from './validate-program.ts';

export async function buildPartMeshes(program: SceneProgram, detail: Detail): Promise<PartMesh[]> {
  analyseProgram(program, detail);
  const { circularSegments, maxTriangles } = DETAIL_LEVELS[detail];
  const [kernel] = await Promise.all([loadKernel(), loadFontkit()]);
  const arena = new KernelArena();
  const context: SolidContext = { kernel, arena, circularSegments, partShapes: new Map(program.parts.map((part) => [part.name, part.shape])), built: new Map() };
  try {
    const meshes: PartMesh[] = [];
    let triangles = 0;
    for (const part of program.parts) {
      const name = JSON.stringify(part.name);
      const solid = placed(partShapeSolid(part.name, context), part.transform, arena);
      const status = solid.status();
      if (status !== 'NoError') invalid(`Part ${name} could not be built: the geometry kernel reported ${status}.`, { part: part.name, status });
      if (solid.isEmpty()) invalid(`Part ${name} is empty: its booleans removed everything (a difference subtracting all of its base, or an intersection of shapes that do not overlap).`, { part: part.name });
      triangles += solid.numTri();
      if (triangles > maxTriangles) invalid(`The model needs more than the ${maxTriangles.toLocaleString('en')} triangles allowed at detail "${detail}" (passed at part ${name}); use fewer or simpler shapes, or a lower detail.`, { maxTriangles, detail });
      meshes.push(partMesh(part.name, part.material, solid, arena));
    }
    return meshes;
  } catch (error) {
    if (error instanceof ShenbiError) throw error;
    // A WASM trap can leave the module's memory inconsistent: start the next build on a fresh instance.
    resetKernel();
    throw new ShenbiError('ENGINE_FAILED', `The geometry kernel failed while building ${JSON.stringify(program.name)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    arena.dispose();
  }
}
