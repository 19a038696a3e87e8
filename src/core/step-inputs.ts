import { z } from 'zod';
import type { PortSpec, PortType } from './pipeline.ts';

/**
 * A step's inputs are declared once, as a zod object: `inputPorts` derives the port table
 * (types, optional, defaults, descriptions) that pipelines are validated against, the runner
 * fills defaults from and the studio and catalog draw, and `run` parses with the same schema.
 * Two declarations of one default drift apart; one cannot.
 */

/** The JSON Schema key that marks a string input as an artifact port. */
const PORT_KEY = 'x-shenbi-port';

/**
 * Marks an input as an artifact port: its value is an artifact id (`art_…`) flowing along an
 * edge, not free text. `z.string()` unless another string schema is given.
 */
export function artifactInput<T extends z.ZodType<string | undefined>>(schema?: T): T {
  return (schema ?? z.string()).meta({ [PORT_KEY]: 'artifact' }) as T;
}

/** A step's input schema: an object of named inputs. */
export type StepInputSchema = z.ZodObject;

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  anyOf?: PropertySchema[];
  [PORT_KEY]?: string;
}

/**
 * The port table of a step input schema. A port is optional when its input may be left out
 * (`.optional()` or `.default()`); an enum without a description is described by its choices.
 */
export function inputPorts(schema: StepInputSchema): Record<string, PortSpec> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, PropertySchema>; required?: string[] };
  const required = new Set(json.required ?? []);
  const ports: Record<string, PortSpec> = {};
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    const description = property.description ?? choices(property);
    ports[name] = {
      type: portType(property),
      ...(required.has(name) ? {} : { optional: true }),
      ...(property.default === undefined ? {} : { default: property.default }),
      ...(description === undefined ? {} : { description }),
    };
  }
  return ports;
}

function portType(property: PropertySchema): PortType {
  if (property[PORT_KEY] === 'artifact') return 'artifact';
  // `.nullable()` adds "null" to the type list; a port's absence already covers it.
  const types = (Array.isArray(property.type) ? property.type : property.type === undefined ? [] : [property.type]).filter((type) => type !== 'null');
  if (types.length === 0 && property.anyOf !== undefined) {
    // A union whose branches all carry one port type (2 | 4) has that type.
    const branches = new Set(property.anyOf.filter((branch) => branch.type !== 'null').map(portType));
    return branches.size === 1 ? [...branches][0]! : 'json';
  }
  if (types.length !== 1) return 'json';
  if (types[0] === 'number' && Number.isInteger(property.const)) return 'integer';
  switch (types[0]) {
    case 'string':
      return 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'json';
  }
}

function choices(property: PropertySchema): string | undefined {
  if (property.enum === undefined || property.enum.length < 2) return undefined;
  return property.enum.map(String).join(' | ');
}
