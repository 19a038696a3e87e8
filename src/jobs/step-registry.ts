import { ShenbiError } from '../core/errors.ts';
import type { StepDefinition } from '../core/step.ts';

/** The step types a runner can execute, by type name (like ComfyUI's node registry). */
export class StepRegistry {
  readonly #steps = new Map<string, StepDefinition>();

  constructor(steps: Iterable<StepDefinition> = []) {
    for (const step of steps) this.register(step);
  }

  /** Registering a type twice is a programming error, not something to silently overwrite. */
  register(step: StepDefinition): this {
    if (this.#steps.has(step.type)) {
      throw new ShenbiError('INTERNAL', `Step type "${step.type}" is already registered.`, { details: { type: step.type } });
    }
    if (step.modelInput !== undefined && step.inputs[step.modelInput] === undefined) {
      throw new ShenbiError('INTERNAL', `Step type "${step.type}" names "${step.modelInput}" as its model input, which is not one of its inputs.`, { details: { type: step.type } });
    }
    this.#steps.set(step.type, step);
    return this;
  }

  has(type: string): boolean {
    return this.#steps.has(type);
  }

  /** UNKNOWN_STEP naming the known types when absent. */
  get(type: string): StepDefinition {
    const step = this.#steps.get(type);
    if (step === undefined) {
      const known = [...this.#steps.keys()].sort();
      throw new ShenbiError('UNKNOWN_STEP', `Unknown step type "${type}". Known step types: ${known.join(', ') || '(none)'}.`, {
        details: { type, known },
      });
    }
    return step;
  }

  find(type: string): StepDefinition | undefined {
    return this.#steps.get(type);
  }

  /** Sorted by type, for listings. */
  list(): StepDefinition[] {
    return [...this.#steps.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
}
