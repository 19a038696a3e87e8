import type { SceneProgramInput } from '../scene-program.ts';

/** Words a prompt may use to set an object's parameters (already parsed from Chinese or English). */
export interface ObjectParams {
  /** A colour the prompt named, as #rrggbb (e.g. 红 / red → a red). */
  colour?: string;
  /** Relative size the prompt asked for: 1 is the object's usual real-world size. */
  scale?: number;
  /** How many of a repeated feature (tiers of a pagoda, legs of a table, candles…) where the object has one. */
  count?: number;
  /** Seed for the small variations (proportions, details) an object allows; same seed, same program. */
  seed: number;
}

/** One object of the built-in parametric library: offline text-to-3D without a text model, and the text model's few-shot examples. */
export interface BuiltInObject {
  /** Stable id, e.g. 'lantern'. */
  id: string;
  /** Words that choose it, both languages (灯笼, lantern, …). */
  names: { zh: readonly string[]; en: readonly string[] };
  /** Words for its repeated feature, if it has one: a number before one sets `count` (七层, "three legs"). English words are listed with their inflections. */
  countWords?: { zh: readonly string[]; en: readonly string[] };
  description: string;
  build(params: ObjectParams): SceneProgramInput;
}
