import { z } from 'zod';
import { sceneProgramSchema } from './scene-program.ts';

/** JSON Schema as plain data. */
export type JsonSchemaObject = { [key: string]: JsonSchemaValue };
type JsonSchemaValue = string | number | boolean | null | JsonSchemaValue[] | JsonSchemaObject;

/** Composite shapes (booleans, arrays, mirrors) nest at most this deep in the output grammar. */
export const GRAMMAR_SHAPE_DEPTH = 3;

/**
 * Keywords the grammar cannot express (bounds, patterns) or does not need (defaults): the
 * bounds are still enforced afterwards by sceneProgramSchema, whose errors go back to the model.
 */
const DROPPED = new Set(['$schema', 'default', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'pattern', 'propertyNames', 'minLength', 'maxLength', 'description']);

const SHAPE_REF = /^#\/\$defs\/(.+)$/;

/**
 * node-llama-cpp's grammar makes every listed property required, so optional properties are
 * left out of the grammar except these, which then must be written (placement and emission
 * matter; `[0,0,0]` and `#000000` say "none").
 */
const KEPT_OPTIONAL = new Set(['transform', 'translate', 'rotate', 'metallic', 'roughness', 'emissive']);

function isObject(value: JsonSchemaValue | undefined): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rewrites one subschema for node-llama-cpp's JSON-schema grammar: anyOf → oneOf, `const` alone, no `items: false`. */
function simplify(node: JsonSchemaValue, refTo: (name: string) => string): JsonSchemaValue {
  if (Array.isArray(node)) return node.map((n) => simplify(n, refTo));
  if (!isObject(node)) return node;
  if (node.const !== undefined) return { const: node.const };
  const out: JsonSchemaObject = {};
  if (isObject(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : []);
    const kept = Object.keys(node.properties).filter((key) => required.has(key) || KEPT_OPTIONAL.has(key));
    out.properties = Object.fromEntries(kept.map((key) => [key, simplify((node.properties as JsonSchemaObject)[key]!, refTo)]));
    out.required = kept;
  }
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key === '$defs' || key === 'properties' || key === 'required') continue;
    if (key === 'items' && value === false) continue;
    if (key === '$ref' && typeof value === 'string') {
      const match = SHAPE_REF.exec(value);
      out.$ref = match ? `#/$defs/${refTo(match[1]!)}` : value;
      continue;
    }
    out[key === 'anyOf' ? 'oneOf' : key] = simplify(value, refTo);
  }
  return out;
}

function mentionsRef(node: JsonSchemaValue): boolean {
  if (Array.isArray(node)) return node.some(mentionsRef);
  if (!isObject(node)) return false;
  return Object.entries(node).some(([key, value]) => key === '$ref' || mentionsRef(value));
}

/**
 * The scene program's JSON Schema, derived from sceneProgramSchema, in the form constrained
 * decoding needs: the recursive shape definition is unrolled `depth` times (shape0 … shapeN;
 * at the last level only primitives remain), so the grammar is finite and small, and keywords
 * a grammar cannot enforce are left to the zod validation that follows.
 */
export function sceneProgramJsonSchema(depth = GRAMMAR_SHAPE_DEPTH): JsonSchemaObject {
  const full = z.toJSONSchema(sceneProgramSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaObject;
  const defs = isObject(full.$defs) ? full.$defs : {};
  const shapeDefName = Object.keys(defs)[0];
  if (shapeDefName === undefined || !isObject(defs[shapeDefName])) throw new Error('sceneProgramSchema has no recursive shape definition');
  const shape = defs[shapeDefName];
  const variants = Array.isArray(shape.oneOf) ? shape.oneOf : Array.isArray(shape.anyOf) ? shape.anyOf : [];
  const $defs: JsonSchemaObject = {};
  for (let level = depth; level >= 0; level--) {
    // The deepest level keeps only variants that contain no further shape.
    const kept = level === depth ? variants.filter((v) => !mentionsRef(v)) : variants;
    $defs[`shape${level}`] = { oneOf: kept.map((v) => simplify(v, () => `shape${level + 1}`)) };
  }
  const root = simplify(full, () => 'shape0') as JsonSchemaObject;
  return { ...root, $defs };
}
