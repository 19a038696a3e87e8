import type { StepDefinition } from '../core/step.ts';
import { blessingVerseStep } from './steps/blessing-verse.ts';
import { cardImageStep } from './steps/card-image.ts';
import { promisedItemStep } from './steps/npc/promised-item-step.ts';

export { findPipeline, listPipelines, BUILTIN_PIPELINES, PIPELINE_ALIASES } from './registry.ts';
export { pipelineForTask, availableTaskKinds } from './task-pipelines.ts';

/** Every step type the built-in pipelines use. */
export const BUILTIN_STEPS: readonly StepDefinition[] = [blessingVerseStep, cardImageStep, promisedItemStep];
