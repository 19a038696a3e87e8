/**
 * Static analysis of a validated program before any geometry is made: resolves references
 * (refusing unknown parts and cycles), counts the shapes that arrays, mirrors and references
 * expand to, and estimates the triangles they will need. Counts saturate just past their
 * limit, so an array of arrays of arrays is refused in microseconds instead of being built.
 */
import { DETAIL_LEVELS, SCENE_LIMITS, type Detail, type SceneProgram, type Shape } from './scene-program.ts';
import { childShapes, invalid } from './validate-program.ts';

export interface ProgramSize {
  /** Primitive shapes after expansion, whole program. */
  expandedShapes: number;
  /** Rough triangles before booleans (an upper-bound-ish guess, for refusing early). */
  estimatedTriangles: number;
}

/** Refused before building when the estimate exceeds the budget by this much (booleans may remove some). */
const ESTIMATE_SLACK = 2;

export function analyseProgram(program: SceneProgram, detail: Detail): ProgramSize {
  const { circularSegments, maxTriangles } = DETAIL_LEVELS[detail];
  const shapesOf = new Map(program.parts.map((part) => [part.name, part.shape]));
  const counted = new Map<string, ProgramSize>();
  const visiting: string[] = [];
  const shapeLimit = SCENE_LIMITS.maxExpandedShapes;
  const triangleLimit = maxTriangles * ESTIMATE_SLACK;

  const add = (a: ProgramSize, b: ProgramSize): ProgramSize => ({
    expandedShapes: Math.min(a.expandedShapes + b.expandedShapes, shapeLimit + 1),
    estimatedTriangles: Math.min(a.estimatedTriangles + b.estimatedTriangles, triangleLimit + 1),
  });
  const times = (size: ProgramSize, count: number): ProgramSize => ({
    expandedShapes: Math.min(size.expandedShapes * count, shapeLimit + 1),
    estimatedTriangles: Math.min(size.estimatedTriangles * count, triangleLimit + 1),
  });

  const partSize = (name: string): ProgramSize => {
    const known = counted.get(name);
    if (known !== undefined) return known;
    if (visiting.includes(name)) invalid(`Parts refer to each other in a cycle: ${[...visiting.slice(visiting.indexOf(name)), name].join(' → ')}.`);
    const shape = shapesOf.get(name);
    if (shape === undefined) invalid(`A ref names part ${JSON.stringify(name)}, which the program does not have (parts: ${[...shapesOf.keys()].slice(0, 20).join(', ')}).`);
    visiting.push(name);
    const size = shapeSize(shape);
    visiting.pop();
    counted.set(name, size);
    return size;
  };

  const shapeSize = (shape: Shape): ProgramSize => {
    switch (shape.type) {
      case 'ref':
        return partSize(shape.part);
      case 'array':
      case 'radialArray':
        return times(shapeSize(shape.child), shape.count);
      case 'mirror':
        return times(shapeSize(shape.child), shape.keepOriginal === false ? 1 : 2);
      case 'union':
      case 'intersection':
      case 'difference':
        return childShapes(shape).reduce((sum, child) => add(sum, shapeSize(child)), { expandedShapes: 0, estimatedTriangles: 0 });
      default:
        return { expandedShapes: 1, estimatedTriangles: primitiveTriangles(shape, circularSegments) };
    }
  };

  let total: ProgramSize = { expandedShapes: 0, estimatedTriangles: 0 };
  for (const part of program.parts) {
    total = add(total, partSize(part.name));
    if (total.expandedShapes > shapeLimit) invalid(`The program expands to more than ${shapeLimit} shapes (arrays, mirrors and refs multiply); at most ${shapeLimit} are allowed. The limit was passed at part ${JSON.stringify(part.name)}.`, { limit: shapeLimit });
    if (total.estimatedTriangles > triangleLimit) {
      invalid(`The program needs far more than the ${maxTriangles.toLocaleString('en')} triangles allowed at detail "${detail}" (passed at part ${JSON.stringify(part.name)}); use fewer or simpler shapes, or a lower detail.`, { maxTriangles, detail });
    }
  }
  return total;
}

/** Triangles the kernel makes for one primitive at `n` circular segments (measured on manifold-3d 3.5). */
function primitiveTriangles(shape: Shape, n: number): number {
  switch (shape.type) {
    case 'box':
      return 12;
    case 'sphere':
      return (n * n) / 2;
    case 'roundedBox':
    case 'capsule':
      return (n * n) / 2 + 12 * n;
    case 'cylinder':
    case 'cone':
      return 4 * n;
    case 'torus':
      return 2 * n * n;
    case 'extrude': {
      const points = shape.profile.length + (shape.holes ?? []).reduce((sum, hole) => sum + hole.length, 0);
      return 2 * points * twistDivisions(shape.twist ?? 0, n) + 2 * points;
    }
    case 'revolve':
      return 2 * shape.profile.length * Math.max(3, Math.ceil((n * (shape.degrees ?? 360)) / 360)) + 2 * shape.profile.length;
    case 'text':
      return 1500 * [...shape.text].length; // a Chinese character at medium detail is ~1,000
    default:
      return 0;
  }
}

/** Slices an extrusion needs so a twist stays smooth: one per circular segment's angle. */
export function twistDivisions(twistDegrees: number, n: number): number {
  return Math.max(1, Math.ceil((Math.abs(twistDegrees) * n) / 360));
}
