import type { Point2, Shape, Transform, Vec3 } from '../scene-program.ts';

/**
 * Small constructors for the shapes the built-in objects use. They only spell out scene
 * program JSON; the conventions are the schema's (metres, +Y up, every primitive standing on
 * y = 0 centred on the Y axis).
 */

/** Signed area of a 2D polygon (positive when counter-clockwise in its own coordinates). */
export function signedArea(points: readonly Point2[]): number {
  let area = 0;
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i]!;
    const [x1, y1] = points[(i + 1) % points.length]!;
    area += x0 * y1 - x1 * y0;
  }
  return area / 2;
}

/** The same polygon, counter-clockwise, so its winding never decides whether it is filled. */
export function counterClockwise(points: readonly Point2[]): Point2[] {
  return signedArea(points) < 0 ? [...points].reverse() : [...points];
}

/** Moves (and optionally turns) a shape; merges with a transform it already has. */
export function placed(shape: Shape, translate: Vec3, rotate?: Vec3): Shape {
  const previous: Transform = shape.transform ?? {};
  const [px, py, pz] = previous.translate ?? [0, 0, 0];
  // A shape's own rotation is applied before its translation, so an added rotation composes
  // only when there was none; the library never stacks them.
  if (rotate !== undefined && previous.rotate !== undefined) throw new Error('placed(): the shape is already rotated');
  const transform: Transform = { ...previous, translate: [px + translate[0], py + translate[1], pz + translate[2]] };
  if (rotate !== undefined) transform.rotate = rotate;
  return { ...shape, transform };
}

/** A box whose base is centred at `at`. */
export function box(size: Vec3, at: Vec3 = [0, 0, 0]): Shape {
  return placed({ type: 'box', size }, at);
}

export function roundedBox(size: Vec3, radius: number, at: Vec3 = [0, 0, 0]): Shape {
  return placed({ type: 'roundedBox', size, radius }, at);
}

/** A cylinder (a frustum when `radiusTop` is given) standing with its base centre at `at`. */
export function cylinder(radius: number, height: number, at: Vec3 = [0, 0, 0], radiusTop?: number): Shape {
  return placed(radiusTop === undefined ? { type: 'cylinder', radius, height } : { type: 'cylinder', radius, height, radiusTop }, at);
}

export function cone(radius: number, height: number, at: Vec3 = [0, 0, 0]): Shape {
  return placed({ type: 'cone', radius, height }, at);
}

/** A sphere centred at `centre` (the schema stands it on y = 0, so it is lowered by its radius). */
export function sphere(radius: number, centre: Vec3): Shape {
  return placed({ type: 'sphere', radius }, [centre[0], centre[1] - radius, centre[2]]);
}

/** A torus lying flat (in the XZ plane) centred at `centre`. */
export function flatTorus(majorRadius: number, minorRadius: number, centre: Vec3): Shape {
  return placed({ type: 'torus', majorRadius, minorRadius }, [centre[0], centre[1] - minorRadius, centre[2]]);
}

/**
 * A torus standing upright in the XY plane (a ring, a handle) centred at `centre`.
 * Turning the flat torus +90° about X carries its centre (0, r, 0) to (0, 0, r).
 */
export function uprightTorus(majorRadius: number, minorRadius: number, centre: Vec3): Shape {
  return placed({ type: 'torus', majorRadius, minorRadius }, [centre[0], centre[1], centre[2] - minorRadius], [90, 0, 0]);
}

/** A prism: an (x, z) polygon raised along +Y from `at`. */
export function prism(profile: readonly Point2[], height: number, at: Vec3 = [0, 0, 0], scaleTop?: number): Shape {
  const shape: Shape = scaleTop === undefined ? { type: 'extrude', profile: counterClockwise(profile), height } : { type: 'extrude', profile: counterClockwise(profile), height, scaleTop };
  return placed(shape, at);
}

/**
 * A slab: an (x, y) outline seen from the front (+Z), `thickness` deep, centred on z = 0, then
 * moved by `at`. Extrude raises (x, z) along +Y; turning it −90° about X carries (x, y, z) to
 * (x, z, −y), so the outline's second coordinate becomes height and the extrusion runs to −Z.
 */
export function slab(outline: readonly Point2[], thickness: number, at: Vec3 = [0, 0, 0]): Shape {
  return placed({ type: 'extrude', profile: counterClockwise(outline), height: thickness }, [at[0], at[1], at[2] + thickness / 2], [-90, 0, 0]);
}

/**
 * A slab seen from the side (+X): a (z, y) outline `thickness` wide, centred on x = 0.
 * Extrude raises (x, z) along +Y; turning −90° about Z carries (x, y, z) to (y, −x, z), so a
 * profile point (−y, z) lands at height y and the extrusion runs along +X.
 */
export function sideSlab(outline: readonly Point2[], thickness: number, at: Vec3 = [0, 0, 0]): Shape {
  const profile = outline.map(([z, y]): Point2 => [-y, z]);
  return placed({ type: 'extrude', profile: counterClockwise(profile), height: thickness }, [at[0] - thickness / 2, at[1], at[2]], [0, 0, -90]);
}

/** A solid of revolution from a (radius, y) outline, its base moved to `at`. */
export function lathe(profile: readonly Point2[], at: Vec3 = [0, 0, 0], degrees?: number): Shape {
  const shape: Shape = degrees === undefined ? { type: 'revolve', profile: counterClockwise(profile) } : { type: 'revolve', profile: counterClockwise(profile), degrees };
  return placed(shape, at);
}

/** A regular polygon in a plane, `sides` corners on a circle of `radius`, a flat side facing +X. */
export function regularPolygon(sides: number, radius: number): Point2[] {
  const points: Point2[] = [];
  for (let i = 0; i < sides; i++) {
    const angle = ((i + 0.5) / sides) * 2 * Math.PI;
    points.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
  }
  return points;
}

/**
 * A wall of revolution: the outer outline `radiusAt(t)` for t from 0 (base) to 1 (rim) over
 * `height`, and inside it a hollow `wall` thick (measured across) down to a floor `floor`
 * thick. One closed (radius, y) outline, so the hollow is real without a boolean.
 */
export function hollowLathe(radiusAt: (t: number) => number, height: number, wall: number, floor: number, steps = 16): Point2[] {
  const outer: Point2[] = [[0, 0]];
  for (let i = 0; i <= steps; i++) outer.push([radiusAt(i / steps), (height * i) / steps]);
  const inner: Point2[] = [];
  for (let i = steps; i >= 0; i--) {
    const y = floor + ((height - floor) * i) / steps;
    inner.push([Math.max(radiusAt(y / height) - wall, wall), y]);
  }
  inner.push([0, floor]);
  return [...outer, ...inner];
}

/** The solid outline of the same body (no hollow): for handles cut against it and for tests. */
export function solidLathe(radiusAt: (t: number) => number, height: number, steps = 16): Point2[] {
  const outer: Point2[] = [[0, 0]];
  for (let i = 0; i <= steps; i++) outer.push([radiusAt(i / steps), (height * i) / steps]);
  outer.push([0, height]);
  return outer;
}
