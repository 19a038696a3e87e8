/**
 * A part's shape tree as one kernel solid: booleans, arrays, mirrors and references over the
 * primitives, each node then placed by its own transform (scale, then rotate X→Y→Z in
 * degrees, then translate). Runs only after expand.ts has bounded the work and ruled out
 * cycles, so the recursion here is finite and small.
 */
import type { Kernel, KernelArena, Manifold } from './manifold-kernel.ts';
import { primitiveSolid } from './primitives.ts';
import type { Shape, Transform } from './scene-program.ts';
import { invalid } from './validate-program.ts';

export interface SolidContext {
  kernel: Kernel;
  arena: KernelArena;
  circularSegments: number;
  /** Every part's shape, by name, for `ref`. */
  partShapes: ReadonlyMap<string, Shape>;
  /** Parts' shapes already built (without their part transform), shared by every ref. */
  built: Map<string, Manifold>;
}

/** The part's shape without the part's own transform (what a `ref` reuses). */
export function partShapeSolid(name: string, context: SolidContext): Manifold {
  const cached = context.built.get(name);
  if (cached !== undefined) return cached;
  const shape = context.partShapes.get(name);
  if (shape === undefined) invalid(`A ref names part ${JSON.stringify(name)}, which the program does not have.`);
  const solid = shapeSolid(shape, context, `part ${JSON.stringify(name)}`);
  context.built.set(name, solid);
  return solid;
}

export function shapeSolid(shape: Shape, context: SolidContext, where: string): Manifold {
  return placed(unplacedSolid(shape, context, where), shape.transform, context.arena);
}

function unplacedSolid(shape: Shape, context: SolidContext, where: string): Manifold {
  const { arena, kernel } = context;
  const { Manifold } = kernel;
  switch (shape.type) {
    case 'union':
      return combined(shape.children.map((child) => shapeSolid(child, context, where)), context);
    case 'intersection':
      return arena.keep(Manifold.intersection(shape.children.map((child) => shapeSolid(child, context, where))));
    case 'difference': {
      const base = shapeSolid(shape.base, context, where);
      return arena.keep(Manifold.difference([base, ...shape.subtract.map((child) => shapeSolid(child, context, where))]));
    }
    case 'array': {
      const child = shapeSolid(shape.child, context, where);
      const [dx, dy, dz] = shape.offset;
      return combined(Array.from({ length: shape.count }, (_, i) => (i === 0 ? child : arena.keep(child.translate([dx * i, dy * i, dz * i])))), context);
    }
    case 'radialArray': {
      const child = shapeSolid(shape.child, context, where);
      const degrees = shape.degrees ?? 360;
      // A full turn spaces copies evenly without repeating the first at 360°; a partial one spans the arc end to end.
      const step = degrees >= 360 ? 360 / shape.count : shape.count > 1 ? degrees / (shape.count - 1) : 0;
      return combined(Array.from({ length: shape.count }, (_, i) => (i === 0 ? child : arena.keep(child.rotate([0, step * i, 0])))), context);
    }
    case 'mirror': {
      const [x, y, z] = shape.normal;
      if (Math.hypot(x, y, z) < 1e-9) invalid(`${where}: a mirror's normal must not be [0, 0, 0].`);
      const child = shapeSolid(shape.child, context, where);
      const mirrored = arena.keep(child.mirror([x, y, z]));
      return shape.keepOriginal === false ? mirrored : combined([child, mirrored], context);
    }
    case 'ref':
      return partShapeSolid(shape.part, context);
    default:
      return primitiveSolid(shape, { kernel, arena, circularSegments: context.circularSegments, where });
  }
}

function combined(solids: Manifold[], context: SolidContext): Manifold {
  if (solids.length === 1) return solids[0]!;
  return context.arena.keep(context.kernel.Manifold.union(solids));
}

/** Scale, then rotate about X, Y, Z (degrees), then translate. */
export function placed(solid: Manifold, transform: Transform | undefined, arena: KernelArena): Manifold {
  if (transform === undefined) return solid;
  let out = solid;
  if (transform.scale !== undefined) out = arena.keep(out.scale(transform.scale));
  if (transform.rotate !== undefined) out = arena.keep(out.rotate(transform.rotate));
  if (transform.translate !== undefined) out = arena.keep(out.translate(transform.translate));
  return out;
}
