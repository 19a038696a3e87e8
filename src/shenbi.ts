import { mkdirSync } from 'node:fs';
import { loadConfig, type LoadConfigOptions } from './config/load.ts';
import type { ShenbiConfig } from './config/schema.ts';
import { toShenbiError } from './core/errors.ts';
import type { PipelineSpec, PipelineSpecInput } from './core/pipeline.ts';
import type { JobEvent } from './core/progress.ts';
import type { StepDefinition } from './core/step.ts';
import type { GovernanceHook } from './governance/hook.ts';
import { governancePolicy } from './governance/policy.ts';
import { likenessAdmission, moderationAdmission, Moderator } from './governance/moderation/index.ts';
import { JobRunner, StepRegistry } from './jobs/index.ts';
import { crashPointsFromEnv } from './jobs/crash-points.ts';
import { DEFAULT_JOB_TIMINGS } from './config/job-timings.ts';
import { ModelManager } from './models/index.ts';
import { releaseWhisper } from './engines/whisper/index.ts';
import { BUILTIN_STEPS, findPipeline, pipelineForTask } from './pipelines/index.ts';
import { createEngineSteps, llamaPool, type Engines } from './engine-steps.ts';
import { createEspeakEngine } from './engines/espeak/index.ts';
import { withModeration } from './governance/moderation/index.ts';
import { createTextModels, type TextModels } from './pipelines/steps/text/text-models.ts';
import { closeOcr } from './engines/ocr/tesseract.ts';
import { releaseDiffusionSessions } from './engines/diffusion/index.ts';
import { retainWorkerPool } from './workers/pool.ts';
import { openStore } from './store/index.ts';
import { sweepWorkDirs, useWorkRoot, workRootOf } from './fs/work-dir.ts';
import type { JobRecord, Store } from './store/types.ts';
import type { JobEventBus } from './jobs/event-bus.ts';
import type { JobQueue } from './jobs/queue.ts';

/** A shared service this instance depends on, and how to ask whether it answers. */
interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

/** The answer for one dependency (the shape /readyz reports). */
export interface DependencyStatus {
  name: string;
  ok: boolean;
  /** Why not, without credentials; null when ok. */
  detail: string | null;
}

const DEPENDENCY_TIMEOUT_MS = 2_000;

/**
 * The shared queue and event bus when config `queue` names a Redis (docs/deploy.md); loaded
 * only then, so the embedded default never loads BullMQ.
 */
async function openSharedQueue(config: ShenbiConfig, runsJobs: boolean, followsEvents: boolean): Promise<{ queue: JobQueue; eventBus: JobEventBus } | undefined> {
  const url = config.scaleOut?.queue ?? null;
  if (url === null || config.scaleOut === undefined) return undefined;
  const { worker } = config.scaleOut;
  const [{ BullMqQueue }, { RedisEventBus }] = await Promise.all([import('./jobs/queues/bullmq-queue.ts'), import('./jobs/events/redis-event-bus.ts')]);
  const eventBus = await RedisEventBus.open({ url, listen: followsEvents });
  try {
    const queue = await BullMqQueue.open({ url, lanes: runsJobs ? worker.lanes : [], concurrency: worker.concurrency });
    return { queue, eventBus };
  } catch (error) {
    await eventBus.close();
    throw error;
  }
}

export interface OpenShenbiOptions extends LoadConfigOptions {
  /** A resolved config; skips loading from file and environment. */
  config?: ShenbiConfig;
  /** Hooks that run after moderation and before the labels (explicit, implicit, C2PA). */
  governance?: GovernanceHook[];
  /** Step types beyond the built-in ones. */
  steps?: StepDefinition[];
  /**
   * With a shared queue (config `queue`): whether this process runs jobs of its worker lanes
   * (`shenbi worker`, `shenbi serve`) or only submits them (`serve --no-worker`, the other CLI
   * commands). Without one, every process runs its own jobs. Default false.
   */
  runsJobs?: boolean;
  /**
   * With a shared queue: whether other processes' job events reach this one (its SSE streams,
   * waiting for a job). Default true; `shenbi worker`, which serves nothing and waits on no
   * job, only sends its own.
   */
  followsEvents?: boolean;
  /**
   * Start now what a first job would otherwise pay to start (the eSpeak runner, spoken until
   * it runs at full speed, and the C2PA signer) and keep the speech runner up through 10 minutes
   * without work: for long-lived processes that run jobs (`serve`, `worker`). Default false.
   */
  warm?: boolean;
}

/** How long a warm process's speech runner waits for work before it exits. */
const WARM_SPEECH_RUNNER_IDLE_MS = 10 * 60_000;

export interface RunOptions {
  onEvent?: (event: JobEvent) => void;
  /** Aborting cancels the job (Ctrl-C in the CLI). */
  signal?: AbortSignal;
}

/**
 * The composition root: one object that owns the store, the step registry, the job runner
 * and the model manager for a configuration. The CLI and the server are thin layers on it;
 * applications can embed it too.
 */
export class Shenbi {
  /** The process's CPU worker pool stays open while an instance lives (the last close ends it). */
  private readonly releaseWorkerPool = retainWorkerPool();

  private constructor(
    readonly config: ShenbiConfig,
    readonly store: Store,
    readonly steps: StepRegistry,
    readonly runner: JobRunner,
    readonly models: ModelManager,
    /** Text and embedding models on the instance's one llama.cpp pool, moderated (steps and the HTTP API share them). */
    readonly textModels: TextModels,
    readonly moderator: Moderator,
    private readonly engines: Engines,
    private readonly releaseWorkRoot: () => void,
    private readonly eventBus: JobEventBus | undefined,
    private readonly dependencies: readonly DependencyCheck[],
  ) {}

  /** Whether the shared services this instance uses (Redis, S3) answer now; each check is bounded (/readyz). */
  async readiness(): Promise<DependencyStatus[]> {
    return Promise.all(
      this.dependencies.map(async ({ name, check }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([check(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${name} did not answer within ${DEPENDENCY_TIMEOUT_MS} ms`)), DEPENDENCY_TIMEOUT_MS)))]);
          return { name, ok: true, detail: null };
        } catch (error) {
          return { name, ok: false, detail: toShenbiError(error).message };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  static async open(options: OpenShenbiOptions = {}): Promise<Shenbi> {
    const config = options.config ?? loadConfig(options);
    mkdirSync(config.home, { recursive: true });
    const moderator = new Moderator(config.moderation, { warn: (message) => process.emitWarning(message) });
    const governance = governancePolicy(config, { moderator, extra: options.governance ?? [], warmUp: options.warm === true });
    const store = await openStore({ database: config.database, blobsDir: config.blobsDir, governance, s3: config.scaleOut?.s3 ?? null });
    const models = new ModelManager({ modelsDir: config.modelsDir, modelEndpoint: config.modelEndpoint, catalogs: config.catalogs });
    const engines: Engines = { llama: undefined, espeak: undefined };
    if (options.warm === true) {
      const espeak = (engines.espeak = createEspeakEngine({ idleTimeoutMs: WARM_SPEECH_RUNNER_IDLE_MS }));
      // Best effort: a runner that cannot start now fails the first speech job with its reason.
      void espeak.warmUp().catch(() => undefined);
    }
    const steps = new StepRegistry();
    const textModels = createTextModels({ config, models, llama: llamaPool(config, engines), wrap: (model) => withModeration(model, moderator) });
    for (const step of [...BUILTIN_STEPS, ...createEngineSteps({ config, store, models, engines, textModels }), ...(options.steps ?? [])]) steps.register(step);
    // Content moderation and likeness consent at submission: a refused input leaves no job, artifact or blob.
    const moderate = moderationAdmission(moderator);
    const likeness = likenessAdmission({ guardOf: (type) => steps.find(type)?.likeness, findArtifact: (id) => store.artifacts.find(id) });
    const admit = async (spec: PipelineSpec, input: Record<string, unknown>) => {
      await moderate(spec, input);
      await likeness(spec, input);
    };
    // One loaded model serves several requests through parallel sequences: allow 4 text steps at
    // once. A diffusion session already uses every core: one at a time.
    // Cloud 3D waits on a provider but parses the model and draws its thumbnail here: 4.
    const concurrency = { text: 4, ffmpeg: 1, music: 1, diffusion: 1, 'cloud-video': 8, 'cloud-3d': 4, ...config.concurrency };
    // Steps' scratch folders go under this home, where recover and gc can find a crash's leftovers.
    const workRoot = workRootOf(config.home);
    const releaseWorkRoot = useWorkRoot(workRoot);
    const { heartbeatMs, staleAfterMs } = config.jobs ?? DEFAULT_JOB_TIMINGS;
    const checkpoint = crashPointsFromEnv(options.env ?? process.env);
    const shared = await openSharedQueue(config, options.runsJobs === true, options.followsEvents !== false).catch(async (error: unknown) => {
      await store.close();
      releaseWorkRoot();
      throw error;
    });
    const runner = new JobRunner({
      store,
      steps,
      admit,
      concurrency,
      heartbeatMs,
      staleAfterMs,
      clock: store.clock,
      ...(shared === undefined ? {} : { queue: shared.queue, eventBus: shared.eventBus }),
      sweepWorkDirs: async () => (await sweepWorkDirs(workRoot)).removed,
      ...(checkpoint === undefined ? {} : { checkpoint }),
    });
    // What /readyz asks beyond the database: the shared queue's Redis and the blobs' bucket.
    const dependencies: DependencyCheck[] = [];
    if (shared !== undefined) {
      dependencies.push({
        name: 'redis',
        check: async () => {
          await shared.queue.depth();
        },
      });
    }
    const s3 = store.s3Blobs;
    if (s3 !== null) {
      const { checkBucket } = await import('./store/blobs/s3-client.ts');
      dependencies.push({ name: 's3', check: () => checkBucket(s3.client, s3.settings, DEPENDENCY_TIMEOUT_MS) });
    }
    return new Shenbi(config, store, steps, runner, models, textModels, moderator, engines, releaseWorkRoot, shared?.eventBus, dependencies);
  }

  /** Submits a pipeline (an id, alias, .json path or spec) and waits for it to finish. */
  async run(pipeline: string | PipelineSpecInput, input: Record<string, unknown>, options: RunOptions = {}): Promise<JobRecord> {
    const spec = typeof pipeline === 'string' ? findPipeline(pipeline) : pipeline;
    const job = await this.runner.submit(spec, input);
    return this.follow(job.id, options);
  }

  /** Validates task input, builds the pipeline of the engine that serves it, and runs it. */
  async generate(kind: string, input: Record<string, unknown>, options: RunOptions = {}): Promise<JobRecord> {
    return this.run(pipelineForTask(kind, input), {}, options);
  }

  /** Streams a job's events to `onEvent` until it ends; aborting the signal cancels it. */
  async follow(jobId: string, options: RunOptions = {}): Promise<JobRecord> {
    const unsubscribe = options.onEvent === undefined ? () => {} : this.runner.subscribe(jobId, options.onEvent);
    const onAbort = () => {
      this.runner.cancel(jobId).catch((error: unknown) => {
        process.emitWarning(`cancelling ${jobId} failed: ${toShenbiError(error).message}`);
      });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.runner.wait(jobId);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }

  async close(): Promise<void> {
    await this.runner.close();
    await this.eventBus?.close();
    await this.engines.llama?.close();
    await this.engines.espeak?.close();
    await this.engines.piper?.close();
    await this.engines.phonemizer?.close();
    await releaseWhisper();
    await closeOcr();
    await releaseDiffusionSessions();
    await this.releaseWorkerPool();
    await this.store.close();
    this.releaseWorkRoot();
  }
}
