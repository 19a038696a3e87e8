import { z } from 'zod';

/**
 * A scene program: the JSON document a text model (or the built-in object library) writes to
 * describe a 3D object, built into solid geometry by the kernel (manifold-3d) and written as
 * glTF. It is data, not code, so it can be validated, stored beside the model, edited and
 * rebuilt, and it doubles as the text model's output grammar.
 *
 * Conventions, stated once here and in the prompt the text model sees:
 * - Units are metres, real-world size; +Y is up.
 * - Every primitive stands on the ground: centred on the Y axis, its lowest point at y = 0
 *   (a sphere's centre is at y = radius). Move it with `transform.translate`.
 * - Profiles are 2D polygons: `extrude` takes (x, z) points and raises them along +Y by
 *   `height`; `revolve` takes (radius, y) points and turns them around the Y axis.
 * - Rotations are in degrees, applied X then Y then Z, after scale and before translate.
 *
 * Limits bound what a model or caller can ask the kernel to do; the builder enforces the
 * totals (expanded shape count, triangle budget) that a schema cannot see.
 */
export const SCENE_LIMITS = {
  /** Largest extent or coordinate, in metres (1 km). */
  maxMetres: 1000,
  /** Smallest length, in metres (0.1 mm): below this the kernel's tolerance swallows the shape. */
  minMetres: 0.0001,
  maxParts: 256,
  maxMaterials: 64,
  /** Copies one array or radial array may make. */
  maxArrayCount: 200,
  /** Shapes after arrays, mirrors and references are expanded, across the whole program. */
  maxExpandedShapes: 5000,
  maxProfilePoints: 512,
  maxChildren: 64,
  /** Nesting of composite shapes (booleans, arrays, mirrors). */
  maxDepth: 16,
  maxTextLength: 64,
  maxNameLength: 64,
} as const;

const L = SCENE_LIMITS;

/** A length in metres: finite, positive, at most 1 km. */
const length = z.number().finite().min(L.minMetres).max(L.maxMetres);
const coordinate = z.number().finite().min(-L.maxMetres).max(L.maxMetres);
const unit = z.number().finite().min(0).max(1);
const angle = z.number().finite().min(-360).max(360);

export const vec3Schema = z.tuple([coordinate, coordinate, coordinate]);
export const size3Schema = z.tuple([length, length, length]);
export const point2Schema = z.tuple([coordinate, coordinate]);
/** `#rrggbb` (sRGB) or linear [r, g, b] in 0..1. */
export const colourSchema = z.union([z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb'), z.tuple([unit, unit, unit])]);

export const transformSchema = z
  .object({
    translate: vec3Schema.optional(),
    /** Degrees about X, then Y, then Z. */
    rotate: z.tuple([angle, angle, angle]).optional(),
    /** A uniform factor or per-axis factors (0.001..1000). */
    scale: z.union([z.number().finite().min(0.001).max(1000), z.tuple([z.number().finite().min(0.001).max(1000), z.number().finite().min(0.001).max(1000), z.number().finite().min(0.001).max(1000)])]).optional(),
  })
  .strict();

const polygonSchema = z.array(point2Schema).min(3).max(L.maxProfilePoints);
const nameSchema = z.string().trim().min(1).max(L.maxNameLength);

export type Vec3 = z.infer<typeof vec3Schema>;
export type Point2 = z.infer<typeof point2Schema>;
export type Colour = z.infer<typeof colourSchema>;
export type Transform = z.infer<typeof transformSchema>;

interface Placed {
  transform?: Transform | undefined;
}

export type Shape =
  | ({ type: 'box'; size: Vec3 } & Placed)
  | ({ type: 'roundedBox'; size: Vec3; radius: number } & Placed)
  | ({ type: 'sphere'; radius: number } & Placed)
  | ({ type: 'cylinder'; radius: number; height: number; radiusTop?: number | undefined } & Placed)
  | ({ type: 'cone'; radius: number; height: number } & Placed)
  | ({ type: 'torus'; majorRadius: number; minorRadius: number } & Placed)
  | ({ type: 'capsule'; radius: number; height: number } & Placed)
  | ({ type: 'extrude'; profile: Point2[]; holes?: Point2[][] | undefined; height: number; twist?: number | undefined; scaleTop?: number | undefined } & Placed)
  | ({ type: 'revolve'; profile: Point2[]; degrees?: number | undefined } & Placed)
  | ({ type: 'text'; text: string; size: number; depth: number } & Placed)
  | ({ type: 'union'; children: Shape[] } & Placed)
  | ({ type: 'difference'; base: Shape; subtract: Shape[] } & Placed)
  | ({ type: 'intersection'; children: Shape[] } & Placed)
  | ({ type: 'array'; child: Shape; count: number; offset: Vec3 } & Placed)
  | ({ type: 'radialArray'; child: Shape; count: number; degrees?: number | undefined } & Placed)
  | ({ type: 'mirror'; child: Shape; normal: Vec3; keepOriginal?: boolean | undefined } & Placed)
  | ({ type: 'ref'; part: string } & Placed);

export type ShapeType = Shape['type'];

const placed = { transform: transformSchema.optional() };

export const shapeSchema: z.ZodType<Shape> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('box'), size: size3Schema, ...placed }).strict(),
    /** `radius` rounds every edge; at most half the smallest side. */
    z.object({ type: z.literal('roundedBox'), size: size3Schema, radius: length, ...placed }).strict(),
    z.object({ type: z.literal('sphere'), radius: length, ...placed }).strict(),
    /** Along +Y; `radiusTop` (0 allowed) makes a frustum. */
    z.object({ type: z.literal('cylinder'), radius: length, height: length, radiusTop: z.number().finite().min(0).max(L.maxMetres).optional(), ...placed }).strict(),
    z.object({ type: z.literal('cone'), radius: length, height: length, ...placed }).strict(),
    /** Lies flat in the XZ plane, around the Y axis. */
    z.object({ type: z.literal('torus'), majorRadius: length, minorRadius: length, ...placed }).strict(),
    /** Along +Y; `height` is the whole length including both hemispherical ends. */
    z.object({ type: z.literal('capsule'), radius: length, height: length, ...placed }).strict(),
    /** (x, z) polygon raised along +Y; `twist` in degrees over the height; `scaleTop` shrinks (or grows) the top. */
    z.object({ type: z.literal('extrude'), profile: polygonSchema, holes: z.array(polygonSchema).max(L.maxChildren).optional(), height: length, twist: angle.optional(), scaleTop: z.number().finite().min(0).max(100).optional(), ...placed }).strict(),
    /** (radius, y) outline turned around Y; radius ≥ 0; `degrees` < 360 leaves a wedge. */
    z.object({ type: z.literal('revolve'), profile: polygonSchema, degrees: z.number().finite().gt(0).max(360).optional(), ...placed }).strict(),
    /** Raised lettering standing in the XY plane, reading along +X; `size` is the letter height. */
    z.object({ type: z.literal('text'), text: z.string().min(1).max(L.maxTextLength), size: length, depth: length, ...placed }).strict(),
    z.object({ type: z.literal('union'), children: z.array(shapeSchema).min(1).max(L.maxChildren), ...placed }).strict(),
    z.object({ type: z.literal('difference'), base: shapeSchema, subtract: z.array(shapeSchema).min(1).max(L.maxChildren), ...placed }).strict(),
    z.object({ type: z.literal('intersection'), children: z.array(shapeSchema).min(2).max(L.maxChildren), ...placed }).strict(),
    /** `count` copies, each moved `offset` further than the last. */
    z.object({ type: z.literal('array'), child: shapeSchema, count: z.number().int().min(1).max(L.maxArrayCount), offset: vec3Schema, ...placed }).strict(),
    /** `count` copies turned around the Y axis, spread over `degrees` (default 360). */
    z.object({ type: z.literal('radialArray'), child: shapeSchema, count: z.number().int().min(1).max(L.maxArrayCount), degrees: z.number().finite().gt(0).max(360).optional(), ...placed }).strict(),
    /** Reflects across the plane through the origin with this normal; keeps the original too unless `keepOriginal` is false. */
    z.object({ type: z.literal('mirror'), child: shapeSchema, normal: vec3Schema, keepOriginal: z.boolean().optional(), ...placed }).strict(),
    /** Reuses another part's shape (its own transform not included). Cycles are refused. */
    z.object({ type: z.literal('ref'), part: nameSchema, ...placed }).strict(),
  ]),
);

export const materialSchema = z
  .object({
    baseColor: colourSchema,
    metallic: unit.default(0),
    roughness: unit.default(0.6),
    emissive: colourSchema.optional(),
    /** Multiplies `emissive` (KHR_materials_emissive_strength above 1). */
    emissiveStrength: z.number().finite().min(0).max(100).optional(),
    /** Below 1 the material is blended (paper, glass). */
    opacity: unit.default(1),
  })
  .strict();

export const partSchema = z
  .object({
    /** Becomes the glTF node's name. Unique within the program. */
    name: nameSchema,
    /** A key of `materials`. */
    material: nameSchema,
    shape: shapeSchema,
    transform: transformSchema.optional(),
  })
  .strict();

export const sceneProgramSchema = z
  .object({
    version: z.literal(1).default(1),
    name: z.string().trim().min(1).max(100),
    description: z.string().max(2000).optional(),
    units: z.literal('m').default('m'),
    materials: z.record(nameSchema, materialSchema).refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= L.maxMaterials, { message: `between 1 and ${L.maxMaterials} materials` }),
    parts: z.array(partSchema).min(1).max(L.maxParts),
  })
  .strict()
  .superRefine((program, ctx) => {
    const names = new Set<string>();
    program.parts.forEach((part, index) => {
      if (names.has(part.name)) ctx.addIssue({ code: 'custom', path: ['parts', index, 'name'], message: `duplicate part name ${JSON.stringify(part.name)}` });
      names.add(part.name);
      if (!Object.hasOwn(program.materials, part.material)) ctx.addIssue({ code: 'custom', path: ['parts', index, 'material'], message: `unknown material ${JSON.stringify(part.material)}` });
    });
  });

/** A program as written (defaults may be missing). */
export type SceneProgramInput = z.input<typeof sceneProgramSchema>;
/** A validated program with defaults filled in. */
export type SceneProgram = z.output<typeof sceneProgramSchema>;
export type Material = z.output<typeof materialSchema>;
export type Part = z.output<typeof partSchema>;

/** How finely curves are cut, and how many triangles a whole model may have. */
export const DETAIL_LEVELS = {
  low: { circularSegments: 24, maxTriangles: 50_000 },
  medium: { circularSegments: 48, maxTriangles: 200_000 },
  high: { circularSegments: 96, maxTriangles: 800_000 },
} as const;

export type Detail = keyof typeof DETAIL_LEVELS;
