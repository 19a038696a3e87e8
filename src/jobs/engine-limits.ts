import { availableParallelism } from 'node:os';
import { Semaphore } from '../core/semaphore.ts';

/** The engine key of steps that declare none. */
export const DEFAULT_ENGINE = 'cpu';

/** One engine's load in this process. */
export interface EngineUsage {
  engine: string;
  running: number;
  waiting: number;
  limit: number;
}

/**
 * One semaphore per engine key: steps on the same engine share its limit (a loaded model,
 * a provider's rate limit, the CPU cores). Engines without a configured limit get
 * `defaultLimit`, which defaults to the cores this process may use.
 */
export class EngineLimits {
  readonly #limits: Readonly<Record<string, number>>;
  readonly #defaultLimit: number;
  readonly #semaphores = new Map<string, Semaphore>();

  constructor(limits: Readonly<Record<string, number>> = {}, defaultLimit: number = availableParallelism()) {
    for (const [engine, limit] of Object.entries(limits)) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit of engine "${engine}" must be a positive integer, got ${limit}`);
    }
    this.#limits = { ...limits };
    this.#defaultLimit = defaultLimit;
  }

  limitOf(engine: string): number {
    return this.#limits[engine] ?? this.#defaultLimit;
  }

  /** Steps running and waiting per engine used so far in this process, with its limit (metrics). */
  usage(): EngineUsage[] {
    return [...this.#semaphores].map(([engine, semaphore]) => ({ engine, running: semaphore.limit - semaphore.available, waiting: semaphore.waiting, limit: semaphore.limit }));
  }

  semaphore(engine: string = DEFAULT_ENGINE): Semaphore {
    let semaphore = this.#semaphores.get(engine);
    if (semaphore === undefined) {
      semaphore = new Semaphore(this.limitOf(engine));
      this.#semaphores.set(engine, semaphore);
    }
    return semaphore;
  }
}
