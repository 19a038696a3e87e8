/** Shenbi's own sound effects (the short's cues) and the user's folder of effect files. */
export { EFFECT_SECONDS } from './effect-seconds.ts';
export { synthesizeEffect, synthesizeOptionsSchema, type SynthesizeOptions } from './synthesize.ts';
export { synthesizeEffectOffThread } from './off-thread.ts';
export { readEffectFolder, type ReadEffectFolderOptions } from './effect-folder.ts';
export { effectOnsetSeconds } from './onset.ts';
