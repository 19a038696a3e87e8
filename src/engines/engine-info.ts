import type { TaskKind } from '../core/task-kinds.ts';

/**
 * What every engine declares about itself, so task routing, the model manager and the
 * studio can reason about it without loading it.
 */
export interface EngineInfo {
  readonly id: string;
  readonly version: string;
  readonly tasks: readonly TaskKind[];
  /** Runs on this machine (true) or calls a remote provider (false). */
  readonly local: boolean;
  readonly license: string;
  readonly description: string;
}
