/**
 * Turns whatever a caller or a text model wrote into a validated scene program, or a
 * SCENE_INVALID error that names the path of every problem (the text model's repair loop
 * feeds this message back). Cheap structural checks run before zod so a hostile document
 * (100,000 parts, JSON nested thousands deep) is refused without walking it recursively.
 */
import { ShenbiError } from '../../core/errors.ts';
import { formatIssues } from '../../core/validation.ts';
import { SCENE_LIMITS, sceneProgramSchema, type SceneProgram, type Shape } from './scene-program.ts';

/** JSON nesting a valid program can reach: each composite level adds at most two (object, array). */
const MAX_JSON_DEPTH = 2 * SCENE_LIMITS.maxDepth + 12;
/**
 * Objects and arrays a program may hold, counted as the tree zod would walk. Real programs
 * hold a few thousand; the cap stops a self-referencing or shared-subtree object graph (which
 * structured cloning happily carries) from being walked exponentially.
 */
const MAX_JSON_NODES = 1_000_000;

export function validateSceneProgram(input: unknown): SceneProgram {
  precheck(input);
  const result = sceneProgramSchema.safeParse(input);
  if (!result.success) {
    const lines = formatIssues(result.error).map((issue) => `  ${issue.path}: ${issue.message}`);
    throw new ShenbiError('SCENE_INVALID', `Invalid scene program:\n${lines.slice(0, 20).join('\n')}${lines.length > 20 ? `\n  … and ${lines.length - 20} more` : ''}`, {
      details: { issues: formatIssues(result.error).slice(0, 50) },
    });
  }
  const program = result.data;
  program.parts.forEach((part, index) => {
    const depth = shapeDepth(part.shape);
    if (depth > SCENE_LIMITS.maxDepth) invalid(`parts.${index}.shape (part ${JSON.stringify(part.name)}) nests ${depth} levels of shapes; at most ${SCENE_LIMITS.maxDepth} are allowed.`);
  });
  return program;
}

function precheck(input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalid('A scene program is a JSON object with "name", "materials" and "parts".');
  const parts = (input as { parts?: unknown }).parts;
  if (Array.isArray(parts) && parts.length > SCENE_LIMITS.maxParts) invalid(`parts: ${parts.length} parts; at most ${SCENE_LIMITS.maxParts} are allowed (use an array shape for repeats).`);
  // Iterative walk: recursion here (or in zod's lazy schema) could overflow the stack.
  const stack: Array<{ value: unknown; depth: number }> = [{ value: input, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    if (++nodes > MAX_JSON_NODES) invalid(`The scene program holds more than ${MAX_JSON_NODES.toLocaleString('en')} objects and arrays (or refers to itself); it is far too large to build.`);
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) invalid(`The scene program is nested more than ${MAX_JSON_DEPTH} levels deep; shapes may nest at most ${SCENE_LIMITS.maxDepth} levels.`);
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
}

/** Levels of shapes, counting the shape itself. */
export function shapeDepth(shape: Shape): number {
  return 1 + Math.max(0, ...childShapes(shape).map(shapeDepth));
}

export function childShapes(shape: Shape): Shape[] {
  switch (shape.type) {
    case 'union':
    case 'intersection':
      return shape.children;
    case 'difference':
      return [shape.base, ...shape.subtract];
    case 'array':
    case 'radialArray':
    case 'mirror':
      return [shape.child];
    default:
      return [];
  }
}

export function invalid(message: string, details?: Record<string, unknown>): never {
  throw new ShenbiError('SCENE_INVALID', message, details === undefined ? {} : { details });
}
