import type { ModelMessage } from 'ai';
import { chooseBuiltIn, fewShotExamples, type LibraryExample } from './library/index.ts';

const EXAMPLE_COUNT = 2;

export const SCENE_SYSTEM_PROMPT = `You design 3D objects as scene programs: JSON documents that a geometry kernel builds into solid models.
Reply with one JSON object and nothing else.
Rules:
- "name": a short name; "materials": an object of named PBR materials {"baseColor": "#rrggbb", "metallic": 0..1, "roughness": 0..1, "emissive": "#rrggbb" ("#000000" for none)}; "parts": a list of {"name", "material" (a key of materials), "shape", "transform"}.
- Units are metres at real-world size; +Y is up. Every primitive stands on the ground: centred on the Y axis with its lowest point at y = 0. Move shapes with "transform": {"translate": [x, y, z], "rotate": [x, y, z] (degrees)}.
- Primitives: box {size:[x,y,z]}, roundedBox {size, radius}, sphere {radius}, cylinder {radius, height}, cone {radius, height}, torus {majorRadius, minorRadius} (flat around Y), capsule {radius, height}, extrude {profile: [[x,z],…], height}, revolve {profile: [[radius,y],…]} (turned around Y), text {text, size, depth}.
- Combinations: union {children}, difference {base, subtract: [...]} (hollows and holes), intersection {children}, array {child, count, offset:[x,y,z]}, radialArray {child, count}, mirror {child, normal:[x,y,z]}.
- Part names are unique. Lengths are between 0.0001 and 1000.`;

/** Up to two programs from the built-in library: the object the request names (if any) first, then the library's own examples. */
export function sceneExamples(prompt: string, seed: number): LibraryExample[] {
  const chosen = chooseBuiltIn(prompt, seed);
  const examples: LibraryExample[] = chosen === undefined ? [] : [{ prompt, program: chosen.program }];
  for (const example of fewShotExamples(EXAMPLE_COUNT + 1)) {
    if (examples.length >= EXAMPLE_COUNT) break;
    if (chosen !== undefined && chooseBuiltIn(example.prompt, seed)?.object.id === chosen.object.id) continue;
    examples.push(example);
  }
  return examples;
}

/**
 * The examples as earlier turns (request → program), so a model with a small context can leave
 * them out (oldest first) and still see the rules and the request.
 */
export function sceneExampleTurns(prompt: string, seed: number): ModelMessage[] {
  return sceneExamples(prompt, seed).flatMap((e): ModelMessage[] => [
    { role: 'user', content: sceneRequestMessage(e.prompt) },
    { role: 'assistant', content: JSON.stringify(e.program) },
  ]);
}

export function sceneRequestMessage(prompt: string): string {
  return `Write the scene program for: ${prompt}`;
}

/** The turn that sends a failed program's errors back to the model. */
export function sceneRepairMessage(errors: string): string {
  return `That program cannot be built:\n${errors}\nWrite the whole corrected program as one JSON object.`;
}
