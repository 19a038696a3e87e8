import { mkdirSync } from 'node:fs';
import { loadConfig, type LoadConfigOptions } from './config/load.ts';
import type { ShenbiConfig } from './config/schema.ts';
import { toShenbiError } from './core/errors.ts';
import type { PipelineSpecInput } from './core/pipeline.ts';
import type { JobEvent } from './core/progress.ts';
import type { StepDefinition } from './core/step.ts';
import { composeGovernance, type GovernanceHook } from './governance/hook.ts';
import { implicitLabelRecord } from './governance/implicit-record.ts';
import { JobRunner, StepRegistry } from './jobs/index.ts';
import { ModelManager } from './models/index.ts';
import { createEspeakEngine, ESPEAK_ENGINE_INFO, type EspeakEngine } from './engines/espeak/index.ts';
import { releaseWhisper } from './engines/whisper/index.ts';
import { createLlamaCppProvider, type LlamaCppProvider } from './engines/llama-cpp/provider.ts';
import { BUILTIN_STEPS, findPipeline, pipelineForTask } from './pipelines/index.ts';
import { npcReplyStep } from './pipelines/steps/npc/npc-reply-step.ts';
import { speechSynthesizeStep } from './pipelines/steps/speech/speech-synthesize-step.ts';
import { alignStep } from './pipelines/steps/speech/align-step.ts';
import { transcribeStep } from './pipelines/steps/speech/transcribe-step.ts';
import { lyricsStep } from './pipelines/steps/music/lyrics-step.ts';
import { songStep } from './pipelines/steps/music/song-step.ts';
import { lyricVideoStep } from './pipelines/steps/video/lyric-video-step.ts';
import { articleScriptStep } from './pipelines/steps/video/article-script-step.ts';
import { narratedVideoStep } from './pipelines/steps/video/narrated-video-step.ts';
import { folderShortStep } from './pipelines/steps/video/folder-short-step.ts';
import { cloudClipStep } from './pipelines/steps/video/cloud-clip-step.ts';
import { ocrStep } from './pipelines/steps/vision/ocr-step.ts';
import { cloudImageStep } from './pipelines/steps/image/cloud-image-step.ts';
import { closeOcr } from './engines/ocr/tesseract.ts';
import { providerImageModel, providerVideoModel } from './engines/providers/index.ts';
import { videoCoverStep, videoDubStep, videoEnhanceStep, videoPortraitStep, videoStabilizeStep, videoSubtitlesStep } from './pipelines/steps/video/edit-steps.ts';
import { codeGenerateStep } from './pipelines/steps/text/code-generate-step.ts';
import { createTextModelResolver } from './pipelines/steps/text/default-resolver.ts';
import { scienceSolveStep } from './pipelines/steps/text/science-solve-step.ts';
import { promptExpandStep } from './pipelines/steps/text/prompt-expand-step.ts';
import { textGenerateStep } from './pipelines/steps/text/text-generate-step.ts';
import { openStore } from './store/index.ts';
import type { JobRecord, Store } from './store/types.ts';

export interface OpenShenbiOptions extends LoadConfigOptions {
  /** A resolved config; skips loading from file and environment. */
  config?: ShenbiConfig;
  /** Hooks that run before the default implicit-label record (labeling, moderation). */
  governance?: GovernanceHook[];
  /** Step types beyond the built-in ones. */
  steps?: StepDefinition[];
}

/** Engines started on first use and closed with Shenbi. */
interface Engines {
  llama: LlamaCppProvider | undefined;
  espeak: EspeakEngine | undefined;
}

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
  private constructor(
    readonly config: ShenbiConfig,
    readonly store: Store,
    readonly steps: StepRegistry,
    readonly runner: JobRunner,
    readonly models: ModelManager,
    private readonly engines: Engines,
  ) {}

  static async open(options: OpenShenbiOptions = {}): Promise<Shenbi> {
    const config = options.config ?? loadConfig(options);
    mkdirSync(config.home, { recursive: true });
    const governance = composeGovernance(...(options.governance ?? []), implicitLabelRecord(config.producer));
    const store = await openStore({ database: config.database, blobsDir: config.blobsDir, governance });
    const models = new ModelManager({ modelsDir: config.modelsDir, modelEndpoint: config.modelEndpoint, catalogs: config.catalogs });
    const engines: Engines = { llama: undefined, espeak: undefined };
    const espeak = () => (engines.espeak ??= createEspeakEngine());
    const resolveTextModel = createTextModelResolver({
      models,
      // One thread by default (config.llama): measured here, llama.cpp on 2 threads of 2 cores runs ~10× slower on small models.
      llama: () =>
        (engines.llama ??= createLlamaCppProvider({
          threads: config.llama.threads,
          sequences: config.llama.sequences,
          idleUnloadMs: config.llama.idleUnloadSeconds * 1000,
          ...(config.llama.memoryBudgetMb === null ? {} : { memoryBudgetBytes: config.llama.memoryBudgetMb * 1024 * 1024 }),
        })),
      providers: config.providers,
      defaultModel: config.defaultTextModel,
    });
    const textSteps = [textGenerateStep(resolveTextModel), promptExpandStep(resolveTextModel), codeGenerateStep(resolveTextModel), scienceSolveStep(resolveTextModel)];
    const media = { roots: config.mediaRoots };
    const speechSteps = [
      speechSynthesizeStep({ synthesize: (o) => espeak().synthesize(o) }),
      alignStep(
        () => async (text, o) => {
          const r = await espeak().synthesize({ text, ...(o.language ? { language: o.language } : {}), ...(o.signal ? { signal: o.signal } : {}) });
          return { audio: r.audio, words: r.words };
        },
        { id: 'shenbi-align', version: '1' },
        media,
      ),
      transcribeStep(async (name) => {
        const resolved = await models.resolve(name);
        return { path: resolved.path, name: resolved.name, sha256: resolved.sha256 };
      }, media),
      lyricsStep(resolveTextModel),
      songStep(() => ({
        syllable: async (text, signal) => (await espeak().synthesize({ text, intonation: 0, ...(signal ? { signal } : {}) })).audio,
        line: async (text, signal) => (await espeak().synthesize({ text, ...(signal ? { signal } : {}) })).audio,
      })),
      npcReplyStep({
        resolveModel: resolveTextModel,
        synthesizer: () => (text, o) => espeak().synthesize({ text, language: o.language, speed: o.speed, ...(o.voice ? { voice: o.voice } : {}), ...(o.signal ? { signal: o.signal } : {}) }),
        conversations: store.conversations,
        voiceEngine: { id: ESPEAK_ENGINE_INFO.id, version: ESPEAK_ENGINE_INFO.version },
      }),
    ];
    const voice = () => ({ synthesize: (o: Parameters<EspeakEngine['synthesize']>[0]) => espeak().synthesize(o) });
    const modelFile = async (name: string) => {
      const resolved = await models.resolve(name);
      return { path: resolved.path, name: resolved.name, sha256: resolved.sha256 };
    };
    const videoSteps = [
      lyricVideoStep(media),
      articleScriptStep(resolveTextModel),
      narratedVideoStep(voice),
      videoSubtitlesStep({ voice, resolveModel: modelFile, media }),
      videoDubStep({ voice, resolveModel: modelFile, media }),
      videoCoverStep(media),
      videoPortraitStep(media),
      videoStabilizeStep(media),
      videoEnhanceStep(media),
      folderShortStep(voice, media),
      cloudClipStep((spec) => providerVideoModel(spec, { providers: config.providers })),
    ];
    const visionSteps = [ocrStep(media), cloudImageStep((spec) => providerImageModel(spec, { providers: config.providers }))];
    const steps = new StepRegistry();
    for (const step of [...BUILTIN_STEPS, ...textSteps, ...speechSteps, ...videoSteps, ...visionSteps, ...(options.steps ?? [])]) steps.register(step);
    // One loaded model serves several requests through parallel sequences: allow 4 text steps at once.
    const runner = new JobRunner({ store, steps, concurrency: { text: 4, ffmpeg: 1, music: 1, 'cloud-video': 8, ...config.concurrency } });
    return new Shenbi(config, store, steps, runner, models, engines);
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
    await this.engines.llama?.close();
    await this.engines.espeak?.close();
    await releaseWhisper();
    await closeOcr();
    await this.store.close();
  }
}
