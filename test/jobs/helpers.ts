import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobEvent } from '../../src/core/progress.ts';
import type { StepDefinition } from '../../src/core/step.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { JobRunner, type JobRunnerOptions } from '../../src/jobs/runner.ts';
import { StepRegistry } from '../../src/jobs/step-registry.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';

export interface TempStore {
  dir: string;
  database: string;
  blobsDir: string;
  store: OpenedStore;
  /** Closes what was opened and removes the directory. */
  cleanup(): Promise<void>;
}

/** A real file-backed SQLite store and blob directory under os.tmpdir(). */
export async function openTempStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-jobs-'));
  const database = `sqlite:${join(dir, 'shenbi.db')}`;
  const blobsDir = join(dir, 'blobs');
  const store = await openStore({ database, blobsDir, governance: implicitLabelRecord('Shenbi') });
  return {
    dir,
    database,
    blobsDir,
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function makeRunner(store: OpenedStore, steps: StepDefinition[], options: Partial<JobRunnerOptions> = {}): JobRunner {
  return new JobRunner({ store, steps: new StepRegistry(steps), ...options });
}

/** Collects every event of every job, in arrival order. */
export function recordEvents(runner: JobRunner): JobEvent[] {
  const events: JobEvent[] = [];
  runner.subscribe('*', (event) => events.push(event));
  return events;
}

/** A step that adds `by` to a number, counting its calls. */
export function addStep(type: string, calls: { count: number }, options: Partial<StepDefinition> = {}): StepDefinition {
  return {
    type,
    title: type,
    version: '1',
    inputs: { value: { type: 'number' }, by: { type: 'number', optional: true, default: 1 } },
    outputs: { value: { type: 'number' } },
    async run(_ctx, inputs) {
      calls.count += 1;
      return { value: (inputs.value as number) + (inputs.by as number) };
    },
    ...options,
  };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
