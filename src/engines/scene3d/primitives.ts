/**
 * Primitive shapes as kernel solids, following scene-program.ts's conventions: metres, +Y up,
 * standing on y = 0, centred on the Y axis. manifold-3d's own constructors are Z-up (they
 * extrude along +Z and revolve around Z), so each primitive is made Z-up and then turned
 * once by `toYUp`, which maps the kernel's (X, Y, Z) to our (X, Z, -Y). Text is the exception
 * (text-solid.ts): it stands in the XY plane, where the kernel extrudes anyway.
 */
import type { Kernel, KernelArena, Manifold } from './manifold-kernel.ts';
import { extrudeProfile, revolveProfile } from './profiles.ts';
import type { Shape } from './scene-program.ts';
import { textSolid } from './text-solid.ts';
import { invalid } from './validate-program.ts';

export type PrimitiveShape = Extract<Shape, { type: 'box' | 'roundedBox' | 'sphere' | 'cylinder' | 'cone' | 'torus' | 'capsule' | 'extrude' | 'revolve' | 'text' }>;

export interface PrimitiveContext {
  kernel: Kernel;
  arena: KernelArena;
  /** Segments of a full circle at this detail. */
  circularSegments: number;
  /** For messages: which part (and where in it) is being built. */
  where: string;
}

/** Kernel Z-up → scene Y-up: −90° about X. */
export function toYUp(solid: Manifold, arena: KernelArena): Manifold {
  return arena.keep(solid.rotate([-90, 0, 0]));
}

export function primitiveSolid(shape: PrimitiveShape, context: PrimitiveContext): Manifold {
  // Lettering stands in the XY plane, which is the kernel's extrusion plane as it is.
  if (shape.type === 'text') return textSolid(shape, context);
  return toYUp(zUpPrimitive(shape, context), context.arena);
}

function zUpPrimitive(shape: Exclude<PrimitiveShape, { type: 'text' }>, context: PrimitiveContext): Manifold {
  const { kernel, arena, circularSegments: n } = context;
  const { Manifold } = kernel;
  switch (shape.type) {
    case 'box': {
      const [x, y, z] = shape.size;
      return arena.keep(arena.keep(Manifold.cube([x, z, y], true)).translate([0, 0, y / 2]));
    }
    case 'roundedBox': {
      const [x, y, z] = shape.size;
      const r = shape.radius;
      if (2 * r > Math.min(x, y, z) * (1 + 1e-9)) invalid(`${context.where}: roundedBox radius ${r} m is more than half its smallest side (${Math.min(x, y, z)} m).`);
      const corner = arena.keep(Manifold.sphere(r, n));
      const centres: Array<[number, number, number]> = [];
      for (const sx of [-1, 1]) for (const sy of [-1, 1]) for (const sz of [0, 1]) centres.push([sx * (x / 2 - r), sy * (z / 2 - r), r + sz * (y - 2 * r)]);
      return arena.keep(Manifold.hull(centres.map((c) => arena.keep(corner.translate(c)))));
    }
    case 'sphere':
      return arena.keep(arena.keep(Manifold.sphere(shape.radius, n)).translate([0, 0, shape.radius]));
    case 'cylinder':
      if ((shape.radiusTop ?? shape.radius) === 0 && shape.radius === 0) invalid(`${context.where}: a cylinder needs a radius.`);
      return arena.keep(Manifold.cylinder(shape.height, shape.radius, shape.radiusTop ?? shape.radius, n));
    case 'cone':
      return arena.keep(Manifold.cylinder(shape.height, shape.radius, 0, n));
    case 'torus': {
      const circle = arena.keep(kernel.CrossSection.circle(shape.minorRadius, n));
      const placed = arena.keep(circle.translate([shape.majorRadius, shape.minorRadius]));
      return arena.keep(placed.revolve(n));
    }
    case 'capsule': {
      const { radius: r, height: h } = shape;
      if (h < 2 * r * (1 - 1e-9)) invalid(`${context.where}: a capsule's height (${h} m) includes both round ends, so it must be at least twice its radius (${2 * r} m).`);
      const end = arena.keep(Manifold.sphere(r, n));
      return arena.keep(Manifold.hull([arena.keep(end.translate([0, 0, r])), arena.keep(end.translate([0, 0, Math.max(r, h - r)]))]));
    }
    case 'extrude':
      return extrudeProfile(shape, context);
    case 'revolve':
      return revolveProfile(shape, context);
  }
}
