import { z } from 'zod';
import { shortScriptSchema } from '../short-script.ts';

/** JSON Schema as plain data. */
export type JsonSchemaObject = { [key: string]: JsonSchemaValue };
type JsonSchemaValue = string | number | boolean | null | JsonSchemaValue[] | JsonSchemaObject;

/** Keywords a grammar does not need or makes large (string lengths): zod checks them afterwards and its errors go back to the model. */
const DROPPED = new Set(['$schema', 'default', 'description', 'minLength', 'maxLength', 'pattern']);
/** Set by the caller, not written by the model. */
const LEFT_OUT = new Set(['language']);

function isObject(value: JsonSchemaValue | undefined): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** node-llama-cpp's grammar makes every listed property required anyway: list them all as required, so providers ask for the same. */
function simplify(node: JsonSchemaValue): JsonSchemaValue {
  if (Array.isArray(node)) return node.map(simplify);
  if (!isObject(node)) return node;
  const out: JsonSchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key === 'properties' || key === 'required') continue;
    out[key === 'anyOf' ? 'oneOf' : key] = simplify(value);
  }
  if (isObject(node.properties)) {
    const kept = Object.keys(node.properties).filter((key) => !LEFT_OUT.has(key));
    out.properties = Object.fromEntries(kept.map((key) => [key, simplify((node.properties as JsonSchemaObject)[key]!)]));
    out.required = kept;
  }
  return out;
}

/**
 * The script's JSON Schema, derived from shortScriptSchema, for constrained decoding: exactly
 * `scenes` scenes, at most `cuesPerScene` sound cues each, every field written.
 */
export function shortScriptJsonSchema(options: { scenes: number; cuesPerScene: number }): JsonSchemaObject {
  const root = simplify(z.toJSONSchema(shortScriptSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaObject) as JsonSchemaObject;
  const properties = root.properties as JsonSchemaObject;
  const scenes = properties.scenes as JsonSchemaObject;
  const scene = scenes.items as JsonSchemaObject;
  const sounds = (scene.properties as JsonSchemaObject).sounds as JsonSchemaObject;
  return {
    ...root,
    properties: {
      ...properties,
      scenes: {
        ...scenes,
        minItems: options.scenes,
        maxItems: options.scenes,
        items: { ...scene, properties: { ...(scene.properties as JsonSchemaObject), sounds: { ...sounds, maxItems: options.cuesPerScene } } },
      },
    },
  };
}
