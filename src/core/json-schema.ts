import { ShenbiError } from './errors.ts';

/**
 * A structural check of a user-supplied JSON Schema before it drives constrained decoding:
 * engines silently accept nonsense (an unknown `type`, a dangling `$ref`) and then generate
 * something that matches no schema at all. Not a full meta-schema validation; it rejects the
 * mistakes people actually make, with the path of the offending node.
 */
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

function fail(path: string, message: string): never {
  throw new ShenbiError('INVALID_INPUT', `invalid JSON schema at ${path || '/'}: ${message}`, { details: { path } });
}

export function assertUsableJsonSchema(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) fail('', 'a schema must be an object');
  const root = schema as Record<string, unknown>;
  const defs = { ...(root.$defs as object | undefined), ...(root.definitions as object | undefined) } as Record<string, unknown>;
  visit(root, '', defs, 0);
}

function visit(node: unknown, path: string, defs: Record<string, unknown>, depth: number): void {
  if (depth > 64) fail(path, 'nested too deeply');
  if (typeof node === 'boolean') return;
  if (typeof node !== 'object' || node === null || Array.isArray(node)) fail(path, 'each subschema must be an object');
  const s = node as Record<string, unknown>;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    for (const t of types) if (typeof t !== 'string' || !TYPES.has(t)) fail(`${path}/type`, `unknown type ${JSON.stringify(t)}`);
  }
  if (s.$ref !== undefined) {
    const match = typeof s.$ref === 'string' ? /^#\/(\$defs|definitions)\/(.+)$/.exec(s.$ref) : null;
    if (!match || !(match[2]! in defs)) fail(`${path}/$ref`, `cannot resolve ${JSON.stringify(s.$ref)} (only #/$defs/… and #/definitions/… are supported)`);
  }
  if (s.properties !== undefined) {
    if (typeof s.properties !== 'object' || s.properties === null || Array.isArray(s.properties)) fail(`${path}/properties`, 'must be an object');
    for (const [key, sub] of Object.entries(s.properties)) visit(sub, `${path}/properties/${key}`, defs, depth + 1);
  }
  if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string'))) fail(`${path}/required`, 'must be an array of property names');
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) fail(`${path}/enum`, 'must be a non-empty array');
  if (s.items !== undefined && !Array.isArray(s.items)) visit(s.items, `${path}/items`, defs, depth + 1);
  if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) visit(s.additionalProperties, `${path}/additionalProperties`, defs, depth + 1);
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (s[key] === undefined) continue;
    if (!Array.isArray(s[key]) || s[key].length === 0) fail(`${path}/${key}`, 'must be a non-empty array');
    (s[key] as unknown[]).forEach((sub, i) => visit(sub, `${path}/${key}/${i}`, defs, depth + 1));
  }
  for (const key of ['$defs', 'definitions'] as const) {
    const group = s[key];
    if (group !== undefined && typeof group === 'object' && group !== null) for (const [name, sub] of Object.entries(group)) visit(sub, `${path}/${key}/${name}`, defs, depth + 1);
  }
}
