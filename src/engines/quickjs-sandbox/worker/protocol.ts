import type { SandboxJob } from '../evaluate-in-quickjs.ts';
import type { SandboxResult } from '../sandbox-request.ts';

/** Main thread → sandbox worker: one run at a time. */
export interface SandboxWorkerRequest {
  readonly id: number;
  readonly job: SandboxJob;
}

/** Sandbox worker → main thread. */
export type SandboxWorkerMessage =
  /** The QuickJS instance is loaded: runs sent from now on start at once. */
  | { readonly type: 'ready' }
  /** The guest starts now: the run's deadline counts from here (rebuilding an instance does not count). */
  | { readonly type: 'started'; readonly id: number }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly result: SandboxResult;
      /** The instance's linear memory now (it only grows): the pool retires threads past a threshold. */
      readonly wasmMemoryBytes: number;
      /** The instance must not run again (see Evaluation.poisoned). */
      readonly poisoned: boolean;
    };
