import fc from 'fast-check';

/**
 * fast-check arbitraries for the HTTP fuzzer: "valid-ish" values from a route's JSON Schema
 * (as the OpenAPI document gives it), and hostile values to mutate them with.
 */

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
};

/** Small, printable, occasionally tricky strings: valid-ish values should mostly pass validation. */
const plainString = (min: number, max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.max(min, Math.min(max, 24)) }) },
    { weight: 1, arbitrary: fc.constantFrom('hello', 'A cat in the rain.', '你好，世界', 'en', 'x').filter((s) => s.length >= min && s.length <= max) },
  );

/** A value that (roughly) satisfies `schema`; `depth` bounds recursion through $ref and nesting. */
export function fromSchema(schema: JsonSchema | boolean | undefined, root: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema === undefined || schema === true || (typeof schema === 'object' && Object.keys(schema).length === 0)) return anyJson(depth);
  if (schema === false) return fc.constant(null);
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace(/^#\/(?:\$defs|definitions)\//, '');
    const target = root.$defs?.[name] ?? root.definitions?.[name];
    return depth > 4 || target === undefined ? fc.constant(null) : fromSchema(target, root, depth + 1);
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((s) => fromSchema(s, root, depth + 1)));
  if (schema.allOf !== undefined && schema.allOf.length > 0) return fromSchema(schema.allOf[0], root, depth + 1);
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? (schema.properties ? ['object'] : []) : [schema.type];
  if (types.length === 0) return anyJson(depth);
  return fc.oneof(...types.map((type) => ofType(type, schema, root, depth)));
}

function ofType(type: string, schema: JsonSchema, root: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? 64;
      if (schema.pattern !== undefined) {
        try {
          return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max);
        } catch {
          return plainString(min, max);
        }
      }
      return plainString(min, max);
    }
    case 'integer':
      return fc.integer({ min: Math.max(-(2 ** 31), Math.ceil(schema.minimum ?? schema.exclusiveMinimum ?? -1000)), max: Math.min(2 ** 31 - 1, Math.floor(schema.maximum ?? schema.exclusiveMaximum ?? 1000)) });
    case 'number':
      return fc.double({ min: schema.minimum ?? schema.exclusiveMinimum ?? -1000, max: schema.maximum ?? schema.exclusiveMaximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = schema.minItems ?? 0;
      return fc.array(depth > 4 ? fc.constant(null) : fromSchema(schema.items, root, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const keys = Object.keys(properties);
      if (keys.length === 0) return depth > 3 ? fc.constant({}) : fc.dictionary(fc.string({ maxLength: 8 }), anyJson(depth + 1), { maxKeys: 3 });
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const key of keys) model[key] = fromSchema(properties[key], root, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => keys.includes(k)) });
    }
    default:
      return anyJson(depth);
  }
}

const anyJson = (depth: number) => (depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 }));

/** Strings an attacker would put anywhere a string goes. */
export const hostileStrings: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  'prototype',
  '../../../../etc/passwd',
  'x/../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e/%2e%2e/etc/passwd',
  '/etc/passwd',
  '/etc/ passwd',
  '/proc/self/environ',
  '~/.ssh/id_rsa',
  'file:///etc/passwd',
  'C:\\Windows\\win.ini',
  'http://127.0.0.1:1/',
  'http://[::ffff:127.0.0.1]:1/',
  'http://[::ffff:169.254.169.254]/latest/meta-data/',
  'http://169.254.169.254/latest/meta-data/',
  'gopher://127.0.0.1:25/',
  'art_00000000000000000000000000',
  'upl_00000000000000000000000000',
  'job_00000000000000000000000000',
  'art_zzzzzzzzzzzzzzzzzzzzzzzzzz',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Egnp.exe',
  '\u200B\u200D\uFEFF',
  '😀'.repeat(50),
  'Ａ'.repeat(100),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${7*7}{{7*7}}',
  '%s%s%s%n',
  '\r\nX-Injected: 1',
];

const hugeString = fc.constantFrom(64 * 1024, 512 * 1024).map((n) => 'A'.repeat(n));

/**
 * Deep nesting is generated as a marker string and expanded only in the JSON text (see
 * `toJsonText`): a real value 5,000 levels deep would overflow the generator's own stack.
 */
export function deepNest(depth: number, kind: 'array' | 'object'): string {
  return `__fuzz_deep_${kind}_${depth}__`;
}

/** JSON text of a generated value, with deep-nesting markers expanded. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"__fuzz_deep_(array|object)_(\d+)__"/g, (_m, kind: string, depth: string) => {
    const n = Number(depth);
    return kind === 'array' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  });
}

/** An object whose own keys are the prototype-polluting ones (JSON.parse keeps `__proto__` as a key). */
export function prototypeKeys(): unknown {
  return JSON.parse('{"__proto__":{"polluted":true,"isAdmin":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"x":1},"toString":"x","hasOwnProperty":1}');
}

/** Any hostile JSON value; deep nesting kept to depths the CI run can afford (5,000 is tried too). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 2, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, -0, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, [], {}, [null], [[[]]], '' as unknown) },
  { weight: 2, arbitrary: fc.constantFrom(50, 500, 5_000).chain((depth) => fc.constantFrom<'array' | 'object'>('array', 'object').map((kind) => deepNest(depth, kind))) },
  { weight: 2, arbitrary: fc.constant(null).map(() => prototypeKeys()) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...hostileStrings), { minLength: 100, maxLength: 2000 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** Paths to every value inside a JSON value (objects and arrays), the root included as []. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = [], depth = 0): (string | number)[][] {
  out.push(prefix);
  if (depth > 6) return out;
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out, depth + 1));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out, depth + 1);
  return out;
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? setAt(v, rest, replacement) : v));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(copy, k, { value: k === head ? setAt(v, rest, replacement) : v, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return replacement;
}

/** Replaces one value somewhere inside `value` (or adds a hostile key to an object) with a hostile one. */
export function mutated(value: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(value);
  return fc.tuple(fc.nat({ max: paths.length - 1 }), hostileValue, fc.boolean(), fc.constantFrom('__proto__', 'constructor', 'extra', 'x'.repeat(300), '')).map(([index, hostile, addKey, key]) => {
    const path = paths[index]!;
    if (addKey && path.length > 0) {
      const parentPath = path.slice(0, -1);
      let parent: unknown = value;
      for (const step of parentPath) parent = (parent as Record<string | number, unknown>)[step];
      if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
        const widened: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(parent)) widened[k] = v;
        Object.defineProperty(widened, key, { value: hostile, enumerable: true, writable: true, configurable: true });
        return setAt(value, parentPath, widened);
      }
    }
    return setAt(value, path, hostile);
  });
}

/** Text that is not the JSON it claims to be (or barely is). */
export const brokenJsonText = fc.constantFrom(
  '',
  '{',
  '{"a":',
  '[1,2',
  '"unterminated',
  '\uFEFF{}',
  '{"a":1,"a":2}',
  'NaN',
  '{"a": NaN}',
  '{"a": 1e999}',
  "{'single': 'quotes'}",
  'null',
  '[]',
  '123',
  '"just a string"',
  'true',
  '{"__proto__": {"polluted": true}}',
  '\u0000\u0001\u0002',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
);
