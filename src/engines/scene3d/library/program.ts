import type { SceneProgramInput, Shape } from '../scene-program.ts';

export type PartInput = SceneProgramInput['parts'][number];
export type MaterialInput = SceneProgramInput['materials'][string];

export function part(name: string, material: string, shape: Shape): PartInput {
  return { name, material, shape };
}

/** Lengths are kept to 0.01 mm: far below what shows, and the JSON stays short for the text model's examples. */
const DECIMALS = 1e5;

function tidy<T>(value: T): T {
  if (typeof value === 'number') return (Math.round(value * DECIMALS) / DECIMALS + 0) as T;
  if (Array.isArray(value)) return value.map(tidy) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = tidy(item);
    return out as T;
  }
  return value;
}

/**
 * The finished program: numbers tidied, and the whole object scaled about its base centre when
 * the prompt asked for another size. Scaling every part's transform (rather than each length)
 * keeps the object's proportions and its parts' relations exactly as designed.
 */
export function finishProgram(program: { name: string; description: string; materials: Record<string, MaterialInput>; parts: PartInput[] }, scale = 1): SceneProgramInput {
  const parts = scale === 1 ? program.parts : program.parts.map((p) => ({ ...p, transform: { scale } }));
  return tidy({ version: 1, name: program.name, description: program.description, units: 'm', materials: program.materials, parts });
}
