import type { SceneProgramInput } from '../scene-program.ts';
import { chair } from './objects/chair.ts';
import { house } from './objects/house.ts';
import { lantern } from './objects/lantern.ts';
import { pagoda } from './objects/pagoda.ts';
import { sword } from './objects/sword.ts';
import { table } from './objects/table.ts';
import { teacup } from './objects/teacup.ts';
import { tree } from './objects/tree.ts';
import { trophy } from './objects/trophy.ts';
import { vase } from './objects/vase.ts';
import { parsePromptWords } from './prompt-words.ts';
import type { BuiltInObject, ObjectParams } from './types.ts';

export type { BuiltInObject, ObjectParams } from './types.ts';
export { parsePromptWords, type PromptWords } from './prompt-words.ts';

/** The built-in parametric objects: offline text-to-3D, and the text model's few-shot examples. */
export const BUILT_IN_OBJECTS: readonly BuiltInObject[] = [lantern, sword, teacup, table, chair, pagoda, house, tree, vase, trophy];

export interface BuiltInChoice {
  object: BuiltInObject;
  params: ObjectParams;
  program: SceneProgramInput;
}

/** The built-in object a prompt names, parameterised by its colour, size and count words; undefined when it names none. */
export function chooseBuiltIn(prompt: string, seed: number): BuiltInChoice | undefined {
  const words = parsePromptWords(prompt, BUILT_IN_OBJECTS);
  const object = BUILT_IN_OBJECTS.find((o) => o.id === words.objectId);
  if (object === undefined) return undefined;
  const params: ObjectParams = { seed: seed >>> 0 };
  if (words.colour !== undefined) params.colour = words.colour;
  if (words.scale !== undefined) params.scale = words.scale;
  if (words.count !== undefined) params.count = words.count;
  return { object, params, program: object.build(params) };
}

export interface LibraryExample {
  prompt: string;
  program: SceneProgramInput;
}

/** Prompts whose programs are small and show different techniques (revolve with a hollow, extrude, arrays, booleans). */
const EXAMPLE_PROMPTS = ['一盏红灯笼', 'a porcelain teacup', 'a wooden table with four legs', 'a sword', 'a five-tier pagoda', 'a blue vase', 'a wooden chair', 'a gold trophy', 'a two-storey house', 'a tree'];

/** Up to `n` (prompt, program) pairs from the library, for a text model's few-shot prompt. Fixed seeds: the same examples every time. */
export function fewShotExamples(n: number): LibraryExample[] {
  const examples: LibraryExample[] = [];
  for (const prompt of EXAMPLE_PROMPTS.slice(0, Math.max(0, Math.floor(n)))) {
    const choice = chooseBuiltIn(prompt, 1);
    if (choice !== undefined) examples.push({ prompt, program: choice.program });
  }
  return examples;
}
