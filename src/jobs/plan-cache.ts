import { compilePlan, type ExecutionPlan } from './execution-plan.ts';
import type { StepRegistry } from './step-registry.ts';
import { validatePipeline, type ValidatedPipeline } from './validate-pipeline.ts';

/** Pipelines remembered at most (least recently used forgotten first). */
const MAX_PLANS = 256;
/** Specs longer than this (as JSON) are compiled every time rather than kept. */
const MAX_SPEC_CHARS = 64 * 1024;

export interface CompiledPipeline {
  readonly validated: ValidatedPipeline;
  readonly plan: ExecutionPlan;
}

/**
 * Validated and compiled pipelines by their spec's JSON. A service runs the same few pipelines
 * over and over, and a worker would otherwise validate and compile each job's spec again after
 * the API server did (about half a millisecond of zod per job on the pickup path). Both results
 * are read-only and depend only on the spec and the registry, which is fixed for a runner.
 * Invalid specs are never kept: validatePipeline throws before anything is stored.
 */
export class PlanCache {
  readonly #registry: StepRegistry;
  readonly #plans = new Map<string, CompiledPipeline>();

  constructor(registry: StepRegistry) {
    this.#registry = registry;
  }

  compile(spec: unknown): CompiledPipeline {
    const key = JSON.stringify(spec);
    if (key === undefined || key.length > MAX_SPEC_CHARS) return this.#compileFresh(spec);
    const known = this.#plans.get(key);
    if (known !== undefined) {
      // Most recently used last, so the first key is the one to forget.
      this.#plans.delete(key);
      this.#plans.set(key, known);
      return known;
    }
    const compiled = this.#compileFresh(spec);
    this.#plans.set(key, compiled);
    if (this.#plans.size > MAX_PLANS) this.#plans.delete(this.#plans.keys().next().value as string);
    return compiled;
  }

  #compileFresh(spec: unknown): CompiledPipeline {
    const validated = validatePipeline(spec, this.#registry);
    return { validated, plan: compilePlan(validated, this.#registry) };
  }
}
