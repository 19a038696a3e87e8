import type { Artifact } from '../core/artifact.ts';
import { ShenbiError, toShenbiError } from '../core/errors.ts';
import type { JobEvent, StepProgress } from '../core/progress.ts';
import type { Provenance } from '../core/provenance.ts';
import type { JobCaller } from '../core/job-caller.ts';
import type { ArtifactDraft, StepContext, StepInputs, StepOutputs } from '../core/step.ts';
import type { Store } from '../store/types.ts';
import { backoffDelay, sleep } from './backoff.ts';
import { cacheKey } from './cache-key.ts';
import { localFileStamps } from './local-file-stamps.ts';
import type { EngineLimits } from './engine-limits.ts';
import { resolveStepInputs, type PlannedStep } from './execution-plan.ts';
import { isArtifactId } from './port-values.ts';
import { checkStepOutputs } from './step-outputs.ts';

/**
 * Called right after a job's state is persisted at a step boundary (`queued`, `claimed`,
 * `step:ID`) and awaited: only the crash tests set one (see crash-points.ts).
 */
export type JobCheckpoint = (jobId: string, point: string) => Promise<void>;

/** What every job execution shares, owned by the runner. */
export interface ExecutionServices {
  readonly store: Store;
  readonly limits: EngineLimits;
  /** Look up and record step results by content hash. */
  readonly cache: boolean;
  /** For backoff jitter; tests may pin it. */
  readonly random: () => number;
  readonly checkpoint?: JobCheckpoint;
}

/** The job a step runs in, as the step executor sees it. */
export interface StepHost {
  readonly jobId: string;
  /** Aborted when the job is cancelled, fails elsewhere, or its runner lets go of it. */
  readonly signal: AbortSignal;
  readonly input: Readonly<Record<string, unknown>>;
  /** Who submitted the job (stored with it): steps see it as ctx.caller. */
  readonly caller: JobCaller;
  readonly outputs: ReadonlyMap<string, StepOutputs>;
  readonly services: ExecutionServices;
  /** sha256 of artifacts this job has seen, by id: saves a lookup per artifact input. */
  readonly artifactHashes: Map<string, string>;
  /** Attempts recorded for this step before this run (a resumed job). */
  priorAttempts(stepId: string): number;
  /** An earlier run of this job started; whatever it was doing may not be recorded (running states are written lazily). */
  readonly resumed: boolean;
  /**
   * An attempt began. The host records `running` in the store only if the step is still
   * running at the next heartbeat, so short steps cost one write (their completion), not two.
   */
  attemptStarted(stepId: string, attempts: number, startedMs: number): void;
  /** Resolves once any lazy `running` write of the step has landed. */
  runningRecorded(stepId: string): Promise<void>;
  emit(event: JobEvent): void;
  wants(): boolean;
  progress(stepId: string, update: StepProgress): void;
}

/**
 * Runs one step to completion: cache lookup, then attempts under its engine's limit with
 * backoff between retryable failures, then outputs checked, cached and persisted.
 * Rejects with the step's error (or the abort reason when the job was aborted).
 */
export async function executeStep(host: StepHost, step: PlannedStep): Promise<StepOutputs> {
  const { store } = host.services;
  const startedMs = Date.now();
  const inputs = resolveStepInputs(step, host.input, host.outputs);

  let key: string | null = null;
  if (step.cacheable && host.services.cache) {
    key = await stepCacheKey(host, step, inputs);
    const hit = await store.cache.get(key);
    if (hit !== undefined && (await cachedOutputsUsable(host, step, hit))) {
      host.signal.throwIfAborted();
      await store.jobs.updateStep(host.jobId, step.id, { status: 'cached', cacheKey: key, outputs: hit, finishedAt: new Date().toISOString() });
      await host.services.checkpoint?.(host.jobId, `step:${step.id}`);
      if (host.wants()) host.emit({ type: 'step.completed', jobId: host.jobId, at: Date.now(), stepId: step.id, cached: true, durationMs: Date.now() - startedMs });
      return hit;
    }
  }

  const semaphore = host.services.limits.semaphore(step.engine);
  const baseAttempts = host.priorAttempts(step.id);
  // An earlier run of this job may have been interrupted inside this step (its runner died,
  // perhaps before the step's running state was written): what that attempt stored is not
  // an output of the job; the attempt below writes its own.
  if (host.resumed) await store.artifacts.discardStepOutputs(host.jobId, step.id);
  for (let attempt = 1; ; attempt++) {
    const release = semaphore.tryAcquire() ?? (await semaphore.acquire(host.signal));
    let raw: unknown;
    let written: Set<string> | undefined;
    let engineStarted = false;
    /** Why this attempt's result must not be reused (a step fell back after a provider failed). */
    let keptOut: string | undefined;
    try {
      host.signal.throwIfAborted();
      const attemptStarted = Date.now();
      // Recorded lazily (see StepHost.attemptStarted): most steps finish before anyone looks.
      host.attemptStarted(step.id, baseAttempts + attempt, attemptStarted);
      if (host.wants()) host.emit({ type: 'step.started', jobId: host.jobId, at: attemptStarted, stepId: step.id, attempt });
      written = new Set();
      const ctx = createStepContext(host, step, inputs, attempt, attemptStarted, written, (reason) => {
        keptOut = reason;
      });
      let work: Promise<unknown>;
      try {
        work = step.definition.run(ctx, inputs);
      } catch (error) {
        work = Promise.reject(error);
      }
      // The permit goes back when the engine really stops, not when the runner stops
      // waiting for it: a step that ignores its signal must not let another one start.
      work.then(release, release);
      engineStarted = true;
      raw = await untilAborted(work, host.signal);
    } catch (error) {
      if (!engineStarted) release();
      if (host.signal.aborted) throw host.signal.reason;
      const failure = toShenbiError(error, 'ENGINE_FAILED');
      if (!failure.retryable || attempt >= step.retry.maxAttempts) throw failure;
      // The failed attempt's stored pieces go; the retry writes its own.
      if (written !== undefined && written.size > 0) await store.artifacts.discardStepOutputs(host.jobId, step.id);
      const delayMs = backoffDelay(step.retry, attempt, host.services.random);
      if (host.wants()) {
        host.emit({ type: 'step.retry', jobId: host.jobId, at: Date.now(), stepId: step.id, attempt: attempt + 1, delayMs, code: failure.code, message: failure.message });
      }
      await sleep(delayMs, host.signal);
      continue;
    }
    const outputs = checkStepOutputs(step.definition, step.id, raw);
    await checkForeignArtifacts(host, step, inputs, outputs, written);
    if (key !== null && keptOut === undefined) await store.cache.put(key, step.definition.type, outputs);
    host.signal.throwIfAborted();
    // A lazy 'running' write still in flight must land before the completion, never after.
    await host.runningRecorded(step.id);
    await store.jobs.updateStep(host.jobId, step.id, {
      status: 'completed',
      attempts: baseAttempts + attempt,
      startedAt: new Date(startedMs).toISOString(),
      outputs,
      finishedAt: new Date().toISOString(),
      ...(key === null ? {} : { cacheKey: key }),
    });
    await host.services.checkpoint?.(host.jobId, `step:${step.id}`);
    if (host.wants()) host.emit({ type: 'step.completed', jobId: host.jobId, at: Date.now(), stepId: step.id, cached: false, durationMs: Date.now() - startedMs });
    return outputs;
  }
}

function createStepContext(
  host: StepHost,
  step: PlannedStep,
  inputs: StepInputs,
  attempt: number,
  attemptStarted: number,
  written: Set<string>,
  keepOutOfCache: (reason: string) => void,
): StepContext {
  const { store } = host.services;
  return {
    jobId: host.jobId,
    stepId: step.id,
    attempt,
    caller: host.caller,
    signal: host.signal,
    progress(update) {
      host.progress(step.id, update);
    },
    keepOutOfCache,
    partial(piece) {
      if (!host.wants()) return;
      const { output, index, artifactId, text } = piece;
      host.emit({ type: 'step.partial', jobId: host.jobId, at: Date.now(), stepId: step.id, output, index, artifactId, text: text ?? null });
    },
    async writeArtifact(draft: ArtifactDraft): Promise<Artifact> {
      // Nothing new becomes visible for a job that was cancelled or failed meanwhile.
      host.signal.throwIfAborted();
      const finishedMs = Date.now();
      const parents = new Set<string>();
      for (const name of step.artifactInputs) {
        const id = inputs[name];
        if (typeof id === 'string') parents.add(id);
      }
      for (const id of draft.parents ?? []) parents.add(id);
      const provenance: Provenance = {
        task: step.definition.type,
        inputs,
        engine: draft.engine,
        model: draft.model ?? null,
        parameters: draft.parameters ?? {},
        seed: draft.seed ?? null,
        parents: [...parents],
        timings: {
          startedAt: new Date(attemptStarted).toISOString(),
          finishedAt: new Date(finishedMs).toISOString(),
          durationMs: finishedMs - attemptStarted,
        },
      };
      const artifact = await store.artifacts.put({
        kind: draft.kind,
        mimeType: draft.mimeType,
        bytes: draft.bytes,
        name: draft.name ?? null,
        jobId: host.jobId,
        stepId: step.id,
        provenance,
        ...(draft.explicitLabel === undefined ? {} : { explicitLabel: draft.explicitLabel }),
        ...(draft.bytesMovable === true ? { bytesMovable: true } : {}),
      });
      written.add(artifact.id);
      host.artifactHashes.set(artifact.id, artifact.sha256);
      return artifact;
    },
    readArtifact(id: string) {
      return store.artifacts.read(id);
    },
  };
}

/** Artifact inputs enter the key by content, so an identical re-upload still hits. */
async function stepCacheKey(host: StepHost, step: PlannedStep, inputs: StepInputs): Promise<string> {
  let keyed = inputs;
  if (step.artifactInputs.length > 0) {
    keyed = { ...inputs };
    for (const name of step.artifactInputs) {
      const id = inputs[name];
      if (typeof id === 'string') keyed[name] = { sha256: await artifactHash(host, id) };
    }
  }
  const salt = step.definition.cacheSalt === undefined ? undefined : await step.definition.cacheSalt(inputs, host.caller);
  // A job that may not read local files never reuses a result made from one (a path in the inputs),
  // nor another tenant's: its artifacts belong to that tenant, and a hit would tell that they exist.
  // A local file is keyed by its size and modification time too: an edited file makes a new result.
  const files = host.caller.localFiles ? await localFileStamps(inputs) : undefined;
  const restricted = host.caller.localFiles ? (files === undefined ? salt : { salt, files }) : { salt, localFiles: false, tenant: host.caller.tenant };
  return cacheKey({ stepType: step.definition.type, stepVersion: step.definition.version, inputs: keyed, salt: restricted });
}

async function artifactHash(host: StepHost, id: string): Promise<string> {
  const known = host.artifactHashes.get(id);
  if (known !== undefined) return known;
  const artifact = await host.services.store.artifacts.get(id);
  host.artifactHashes.set(id, artifact.sha256);
  return artifact.sha256;
}

/** A cached result is only as good as its artifacts: each must still exist, bytes included. */
async function cachedOutputsUsable(host: StepHost, step: PlannedStep, outputs: StepOutputs): Promise<boolean> {
  try {
    checkStepOutputs(step.definition, step.id, outputs);
  } catch {
    return false;
  }
  const { store } = host.services;
  for (const [name, port] of Object.entries(step.definition.outputs)) {
    if (port.type !== 'artifact') continue;
    const id = outputs[name];
    if (id === undefined) continue;
    const artifact = await store.artifacts.find(id as string);
    if (artifact === undefined || !(await store.blobs.has(artifact.blobRef))) return false;
    host.artifactHashes.set(artifact.id, artifact.sha256);
  }
  return true;
}

/** Artifact outputs the step neither wrote nor received must at least exist. */
async function checkForeignArtifacts(host: StepHost, step: PlannedStep, inputs: StepInputs, outputs: StepOutputs, written: Set<string>): Promise<void> {
  for (const [name, port] of Object.entries(step.definition.outputs)) {
    if (port.type !== 'artifact') continue;
    const id = outputs[name];
    if (!isArtifactId(id) || written.has(id) || host.artifactHashes.has(id)) continue;
    if (step.artifactInputs.some((input) => inputs[input] === id)) continue;
    const artifact = await host.services.store.artifacts.find(id);
    if (artifact === undefined) {
      throw new ShenbiError('ENGINE_FAILED', `Step "${step.id}" (${step.definition.type}) returned output "${name}" = ${id}, which is no artifact.`, {
        details: { stepId: step.id, output: name, id },
        retryable: false,
      });
    }
    host.artifactHashes.set(id, artifact.sha256);
  }
}

/** Settles with `work`, or rejects with the abort reason as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
