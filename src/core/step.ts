import type { ArtifactKind } from './artifact.ts';
import type { Artifact, LabelRecord } from './artifact.ts';
import type { PortSpec, RetryPolicy } from './pipeline.ts';
import type { JobCaller } from './job-caller.ts';
import type { StepPartial, StepProgress } from './progress.ts';

/** What a step hands to the store for one new artifact; the runner fills in provenance. */
export interface ArtifactDraft {
  kind: ArtifactKind;
  mimeType: string;
  bytes: Uint8Array;
  name?: string;
  /** Artifacts it was derived from (ids); the step's artifact inputs are added automatically. */
  parents?: string[];
  engine: { id: string; version: string };
  model?: { name: string; sha256: string | null } | null;
  parameters?: Record<string, unknown>;
  seed?: number | null;
  /**
   * An explicit AI label the step already rendered into the content (a video composer draws
   * it during its own encode); governance records it instead of re-encoding to add one.
   */
  explicitLabel?: LabelRecord;
  /**
   * The step gives `bytes` up: it never reads them after writeArtifact, and no one else holds
   * them. Governance may then move them to a worker thread instead of copying them (a 75 s
   * speech WAV is 3.3 MB each way), and they may be gone (detached) afterwards.
   */
  bytesMovable?: boolean;
}

/** The services a running step may use. Everything goes through here, so the runner can
 * cancel it, count it and record provenance. */
export interface StepContext {
  readonly jobId: string;
  readonly stepId: string;
  readonly attempt: number;
  /** Who submitted the job (read-only): decides whether user-named local files may be read. */
  readonly caller: JobCaller;
  /** Aborted when the job is cancelled; engines must stop promptly. */
  readonly signal: AbortSignal;
  progress(update: StepProgress): void;
  /** Reports a stored piece of an output before the step ends (see StepPartial). */
  partial(piece: StepPartial): void;
  /** Stores an artifact (through governance) and returns it; pass its id on as an output. */
  writeArtifact(draft: ArtifactDraft): Promise<Artifact>;
  readArtifact(id: string): Promise<{ artifact: Artifact; bytes: Buffer }>;
  /**
   * This attempt's result must not be reused by the step cache: it is a fallback (a provider
   * failed and designed cards stood in), so the next identical run should try again.
   */
  keepOutOfCache?(reason: string): void;
}

export type StepInputs = Record<string, unknown>;
export type StepOutputs = Record<string, unknown>;

/** Which input carries a person's likeness (a portrait), and the feature in words for the refusal. */
export interface LikenessGuard {
  readonly input: string;
  /** "a talking portrait". */
  readonly feature: string;
}

/**
 * A node type, in the spirit of ComfyUI: inputs and outputs declared as data so graphs can
 * be validated, cached and drawn without running anything.
 */
export interface StepDefinition {
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  /** Bumped when the step's behaviour changes, so old cache entries stop matching. */
  readonly version: string;
  readonly inputs: Readonly<Record<string, PortSpec>>;
  readonly outputs: Readonly<Record<string, PortSpec>>;
  /** Concurrency key: steps on the same engine share its limit. Default: 'cpu'. */
  readonly engine?: string;
  /** Whether identical inputs give an identical result worth reusing. Default true. */
  readonly cacheable?: boolean;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Extra material for the cache key, e.g. the hash of the model file the step will use.
   * Runs before `run`, so it must apply the same caller rules before touching any file.
   */
  cacheSalt?(inputs: StepInputs, caller: JobCaller): Promise<unknown> | unknown;
  /**
   * The step animates or imitates the person shown in one of its inputs: the submission is
   * refused without consent (its `consent` input) unless that face is synthetic.
   */
  readonly likeness?: LikenessGuard;
  /**
   * The input naming the model the step loads (absent or null: the configured default). With
   * a shared queue, a job whose steps name the same model as a job a worker ran lately goes
   * to that worker first, which still holds the model loaded (jobs/affinity.ts).
   */
  readonly modelInput?: string;
  run(ctx: StepContext, inputs: StepInputs): Promise<StepOutputs>;
}
