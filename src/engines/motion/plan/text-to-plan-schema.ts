import { z } from 'zod';
import { actionPlanSchema } from '../action-plan.ts';

/** JSON Schema as plain data. */
export type JsonSchemaObject = { [key: string]: JsonSchemaValue };
type JsonSchemaValue = string | number | boolean | null | JsonSchemaValue[] | JsonSchemaObject;

/** Keywords a grammar cannot express or does not need: the bounds are enforced afterwards by actionPlanSchema, whose errors go back to the model. */
const DROPPED = new Set(['$schema', 'default', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems', 'maxLength', 'minLength', 'description']);

/**
 * node-llama-cpp's grammar makes every listed property required. The action keeps its name,
 * layer and parameters (these must be written); `version`, `descriptions` (the expansion's
 * own step fills them), `start`, `duration` and `text` are left out of the grammar.
 */
const KEPT = new Set(['actions', 'action', 'layer', 'params']);

function isObject(value: JsonSchemaValue | undefined): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function simplify(node: JsonSchemaValue): JsonSchemaValue {
  if (Array.isArray(node)) return node.map(simplify);
  if (!isObject(node)) return node;
  const out: JsonSchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key === 'properties' || key === 'required') continue;
    out[key === 'anyOf' ? 'oneOf' : key] = simplify(value);
  }
  if (isObject(node.properties)) {
    const properties = node.properties;
    const required = Array.isArray(node.required) ? node.required : [];
    const kept = Object.keys(properties).filter((key) => KEPT.has(key));
    if (required.length === 0 && kept.length === 0) {
      // All optional (the parameters): any of them, by name, each value of one of their types; zod checks the names and bounds.
      const values = Object.values(properties).flatMap((p) => (isObject(p) && Array.isArray(p.anyOf) ? p.anyOf : [p])).map(simplify);
      const distinct = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];
      out.properties = {};
      out.additionalProperties = { oneOf: distinct };
    } else {
      out.properties = Object.fromEntries(kept.map((key) => [key, simplify(properties[key]!)]));
      out.required = kept;
      out.additionalProperties = false;
    }
  }
  return out;
}

/** The action plan's JSON Schema (from actionPlanSchema) in the form constrained decoding needs. */
export function actionPlanJsonSchema(): JsonSchemaObject {
  return simplify(z.toJSONSchema(actionPlanSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaObject) as JsonSchemaObject;
}
