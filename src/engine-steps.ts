import type { ShenbiConfig } from './config/schema.ts';
import type { StepDefinition } from './core/step.ts';
import { createEspeakEngine, ESPEAK_ENGINE_INFO, type EspeakEngine } from './engines/espeak/index.ts';
import { createLlamaCppProvider, type LlamaCppProvider } from './engines/llama-cpp/provider.ts';
import { PROVIDER_PRESETS, providerImageModel, providerSpeechModel, providerVideoModel } from './engines/providers/index.ts';
import type { ModelManager } from './models/index.ts';
import { cloudImageStep } from './pipelines/steps/image/cloud-image-step.ts';
import { createDiffusionModelResolver } from './pipelines/steps/image/diffusion-model-dir.ts';
import { diffusionStep } from './pipelines/steps/image/diffusion-step.ts';
import { lyricsStep } from './pipelines/steps/music/lyrics-step.ts';
import { model3dGenerateStep } from './pipelines/steps/model3d/model3d-generate-step.ts';
import { motionGenerateStep } from './pipelines/steps/motion/motion-generate-step.ts';
import { songStep } from './pipelines/steps/music/song-step.ts';
import { midiRenderStep } from './pipelines/steps/music/midi-render-step.ts';
import { npcReplyStep } from './pipelines/steps/npc/npc-reply-step.ts';
import { alignStep } from './pipelines/steps/speech/align-step.ts';
import { speechSynthesizeStep } from './pipelines/steps/speech/speech-synthesize-step.ts';
import { piperSpeechStep } from './pipelines/steps/speech/piper-speech-step.ts';
import { createPiperEngine, type PiperEngine } from './engines/piper/index.ts';
import { transcribeStep } from './pipelines/steps/speech/transcribe-step.ts';
import { codeGenerateStep } from './pipelines/steps/text/code-generate-step.ts';
import { promptExpandStep } from './pipelines/steps/text/prompt-expand-step.ts';
import { scienceSolveStep } from './pipelines/steps/text/science-solve-step.ts';
import { textGenerateStep } from './pipelines/steps/text/text-generate-step.ts';
import { articleScriptStep } from './pipelines/steps/video/article-script-step.ts';
import { shortScriptStep } from './pipelines/steps/short/short-script-step.ts';
import { cloudClipStep } from './pipelines/steps/video/cloud-clip-step.ts';
import { videoCoverStep, videoDubStep, videoEnhanceStep, videoPortraitStep, videoStabilizeStep, videoSubtitlesStep } from './pipelines/steps/video/edit-steps.ts';
import type { TextModels } from './pipelines/steps/text/text-models.ts';
import { createVideoLabeler } from './governance/explicit/video-labeler.ts';
import { imageEditStep } from './pipelines/steps/image/image-edit-step.ts';
import { cloudMusicStep } from './pipelines/steps/music/cloud-music-step.ts';
import { cloudModel3dStep } from './pipelines/steps/model3d/cloud-model3d-step.ts';
import { cloudSpeechStep } from './pipelines/steps/speech/cloud-speech-step.ts';
import { describeImageStep } from './pipelines/steps/vision/describe-image-step.ts';
import { sceneClipsStep } from './pipelines/steps/video/scene-clips-step.ts';
import { folderShortStep } from './pipelines/steps/video/folder-short-step.ts';
import { shortVideoStep } from './pipelines/steps/short/short-video-step.ts';
import { shortPicturesStep } from './pipelines/steps/short/short-pictures-step.ts';
import { lyricVideoStep } from './pipelines/steps/video/lyric-video-step.ts';
import { narratedVideoStep } from './pipelines/steps/video/narrated-video-step.ts';
import { talkingHeadStep } from './pipelines/steps/talking-head/talking-head-step.ts';
import { createEspeakPhonemizer } from './engines/piper/phonemizer.ts';
import { ocrStep } from './pipelines/steps/vision/ocr-step.ts';
import type { MediaPolicy } from './pipelines/steps/media-input.ts';
import type { Store } from './store/types.ts';

/** Engines started on first use (a model load, a runner process) and closed with Shenbi. */
export interface Engines {
  llama: LlamaCppProvider | undefined;
  espeak: EspeakEngine | undefined;
  /** Piper voices (onnxruntime sessions + an eSpeak phonemizer process); optional so older callers need not name it. */
  piper?: PiperEngine | undefined;
  /** eSpeak text → IPA for words aligned to a user's recording (talking heads); its own runner process. */
  phonemizer?: EspeakPhonemizer | undefined;
}

export interface EngineStepDeps {
  config: ShenbiConfig;
  store: Store;
  models: ModelManager;
  engines: Engines;
  /** Text models for the text steps (shared with the HTTP API; moderated). */
  textModels: TextModels;
}

/**
 * The step types that need engines, wired to this configuration: one lazily started llama.cpp
 * pool and eSpeak runner shared by every step, the model manager for files, the media roots
 * for user input, and the configured cloud providers.
 */
/** The one llama.cpp pool of a Shenbi instance, started on first use. */
export function llamaPool(config: ShenbiConfig, engines: Engines): () => LlamaCppProvider {
  // One thread by default (config.llama): measured here, llama.cpp on 2 threads of 2 cores runs ~10× slower on small models.
  return () =>
    (engines.llama ??= createLlamaCppProvider({
      threads: config.llama.threads,
      sequences: config.llama.sequences,
      ...(config.llama.lanes === null ? {} : { lanes: config.llama.lanes }),
      idleUnloadMs: config.llama.idleUnloadSeconds * 1000,
      ...(config.llama.memoryBudgetMb === null ? {} : { memoryBudgetBytes: config.llama.memoryBudgetMb * 1024 * 1024 }),
    }));
}

export function createEngineSteps({ config, store, models, engines, textModels }: EngineStepDeps): StepDefinition[] {
  const espeak = () => (engines.espeak ??= createEspeakEngine());
  const resolveTextModel = textModels.language;
  const textSteps = [textGenerateStep(resolveTextModel), promptExpandStep(resolveTextModel), codeGenerateStep(resolveTextModel), scienceSolveStep(resolveTextModel)];
  const media: MediaPolicy = { roots: config.mediaRoots, uploadsDir: config.uploads.dir, uploadObjects: store.uploadObjects ?? null, fetch: config.media.fetch };
  const speechSteps = [
    speechSynthesizeStep({ synthesize: (o) => espeak().synthesize(o) }),
    piperSpeechStep({ synthesize: (o) => (engines.piper ??= createPiperEngine()).synthesize(o) }, { modelsDir: config.modelsDir, models }),
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
    }), { roots: [config.modelsDir, ...config.mediaRoots] }),
    midiRenderStep(media, { roots: [config.modelsDir, ...config.mediaRoots] }),
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
  // Composers draw the explicit AI label in their own encode (governance would otherwise re-encode).
  const labeler = createVideoLabeler(config.labels);
  const videoSteps = [
    lyricVideoStep(media, labeler),
    articleScriptStep(resolveTextModel),
    shortScriptStep(resolveTextModel),
    narratedVideoStep(voice, labeler, media),
    talkingHeadStep({
      voice: () => ({
        synthesize: (o) => espeak().synthesize(o),
        phonemize: (text, o) => (engines.phonemizer ??= createEspeakPhonemizer()).phonemize(text, phonemizeVoice(text, o.language), o.signal),
      }),
      media,
      labeler,
      providers: () => ({ providers: config.providers }),
    }),
    videoSubtitlesStep({ voice, resolveModel: modelFile, media, labeler }),
    videoDubStep({ voice, resolveModel: modelFile, media }),
    videoCoverStep(media),
    videoPortraitStep(media),
    videoStabilizeStep(media, labeler),
    videoEnhanceStep(media, labeler),
    folderShortStep(voice, media, labeler),
    shortVideoStep({ voice, media, labeler, providers: () => ({ providers: config.providers }) }),
    shortPicturesStep({ engines: { imageModel: (spec) => providerImageModel(spec, { providers: config.providers }), diffusionModel: createDiffusionModelResolver({ modelsDir: config.modelsDir, mediaRoots: config.mediaRoots }) }, media }),
    cloudClipStep((spec) => providerVideoModel(spec, { providers: config.providers })),
    sceneClipsStep((spec) => providerVideoModel(spec, { providers: config.providers })),
  ];
  const visionSteps = [
    ocrStep(media),
    cloudImageStep((spec) => providerImageModel(spec, { providers: config.providers })),
    diffusionStep(createDiffusionModelResolver({ modelsDir: config.modelsDir, mediaRoots: config.mediaRoots }), media),
    imageEditStep(media),
    describeImageStep(resolveTextModel, media),
  ];
  const cloudAudioSteps = [
    cloudSpeechStep({
      resolve: (spec) => providerSpeechModel(spec, { providers: config.providers }),
      keyEnv: (spec) => [...config.providers, ...PROVIDER_PRESETS].find((p) => p.name === spec.split(':')[0])?.apiKeyEnv,
    }),
    cloudMusicStep(() => ({ providers: config.providers })),
    cloudModel3dStep(() => ({ providers: config.providers }), media),
  ];
  const model3dSteps = [model3dGenerateStep(resolveTextModel)];
  const motionSteps = [motionGenerateStep(resolveTextModel, media, () => ({ providers: config.providers }))];
  return [...textSteps, ...speechSteps, ...cloudAudioSteps, ...videoSteps, ...visionSteps, ...model3dSteps, ...motionSteps];
}

type EspeakPhonemizer = ReturnType<typeof createEspeakPhonemizer>;

/** eSpeak's voice for phonemizing a word: Mandarin for Han text or a zh language tag, else the tag, else English. */
function phonemizeVoice(text: string, language: string | undefined): string {
  if (language !== undefined && !/^(zh|cmn)/i.test(language)) return language;
  return language !== undefined || /\p{Script=Han}/u.test(text) ? 'cmn' : 'en-us';
}
