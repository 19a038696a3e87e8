/**
 * Extrusions and revolves of 2D profiles, in the kernel's Z-up frame (primitives.ts turns
 * the result Y-up). Profiles are read with the non-zero fill rule, so either winding works,
 * and holes are subtracted as their own cross-sections.
 */
import { twistDivisions } from './expand.ts';
import type { CrossSection, Manifold } from './manifold-kernel.ts';
import type { PrimitiveContext } from './primitives.ts';
import { SCENE_LIMITS, type Point2, type Shape } from './scene-program.ts';
import { invalid } from './validate-program.ts';

/** Smallest area a profile may enclose (0.1 mm × 0.1 mm): below it the kernel makes nothing. */
const MIN_AREA = SCENE_LIMITS.minMetres * SCENE_LIMITS.minMetres;

type Extrude = Extract<Shape, { type: 'extrude' }>;
type Revolve = Extract<Shape, { type: 'revolve' }>;

export function extrudeProfile(shape: Extrude, context: PrimitiveContext): Manifold {
  const { arena, kernel, circularSegments } = context;
  // Scene (x, z) → kernel (X, Y) = (x, −z), so that after toYUp the point lands at (x, ·, z).
  const flip = (points: Point2[]): Array<[number, number]> => points.map(([x, z]) => [x, -z]);
  let section = arena.keep(new kernel.CrossSection([flip(shape.profile)], 'NonZero'));
  for (const hole of shape.holes ?? []) section = arena.keep(section.subtract(arena.keep(new kernel.CrossSection([flip(hole)], 'NonZero'))));
  requireArea(section, `${context.where}: the extrude profile`);
  const twist = shape.twist ?? 0;
  const divisions = twist === 0 ? 0 : twistDivisions(twist, circularSegments) - 1;
  // A pair, not a number: manifold-3d 3.5.4's JS wrapper reads a lone number as [n, 0], collapsing the top to a line.
  const scaleTop = shape.scaleTop ?? 1;
  return arena.keep(section.extrude(shape.height, divisions, twist, [scaleTop, scaleTop]));
}

export function revolveProfile(shape: Revolve, context: PrimitiveContext): Manifold {
  const { arena, kernel, circularSegments } = context;
  const section = arena.keep(new kernel.CrossSection([shape.profile.map(([r, y]): [number, number] => [r, y])], 'NonZero'));
  // The kernel drops whatever lies at negative radius; what is left must still enclose an area.
  const halfPlane = arena.keep(kernel.CrossSection.square([SCENE_LIMITS.maxMetres * 4, SCENE_LIMITS.maxMetres * 4], true));
  const right = arena.keep(section.intersect(arena.keep(halfPlane.translate([SCENE_LIMITS.maxMetres * 2, 0]))));
  requireArea(right, `${context.where}: the revolve profile (radius ≥ 0 side)`);
  // The kernel cuts a partial turn into the matching share of a full circle's segments.
  return arena.keep(right.revolve(circularSegments, shape.degrees ?? 360));
}

function requireArea(section: CrossSection, what: string): void {
  const area = section.area();
  if (section.isEmpty() || !(area >= MIN_AREA)) invalid(`${what} encloses no area (${area.toExponential(2)} m²); a profile needs at least three points that do not lie on one line.`);
}
