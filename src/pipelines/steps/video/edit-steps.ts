import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepContext, StepDefinition } from '../../../core/step.ts';
import type { TimedText } from '../../../core/timing.ts';
import { forcedAlign, type SynthesizeFn } from '../../../engines/align/index.ts';
import type { EspeakEngine } from '../../../engines/espeak/index.ts';
import { addSubtitles, dubVideo, enhanceVideo, type PictureOverlay } from '../../../engines/video/post.ts';
import type { VideoLabeler } from '../../../governance/explicit/video-labeler.ts';
import { labelOverlay } from './label-overlay.ts';
import { stabilize, toPortrait } from '../../../engines/video/reframe.ts';
import { probeMedia } from '../../../engines/video/run-ffmpeg.ts';
import { rankCoverFrames, renderCover } from '../../../engines/video/smart-cover.ts';
import { transcribe } from '../../../engines/whisper/index.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import { normalizeLoudnessOffThread } from '../../../media/audio/off-thread.ts';
import { cuesFromWords, writeAss } from '../../../media/subtitles/index.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import type { ModelFileResolver } from '../speech/transcribe-step.ts';
import { VIDEO_ENGINE } from './lyric-video-step.ts';
import { makeWorkDir, removeWorkDir } from '../../../fs/work-dir.ts';

/** Runs `fn` with the source video as a local file, and stores what it writes as the output artifact. */
async function onSourceVideo(
  ctx: StepContext,
  media: MediaPolicy,
  source: string,
  output: { kind: 'video' | 'image'; mimeType: string; name: string; parameters: Record<string, unknown> },
  fn: (input: string, output: string, overlay: PictureOverlay | undefined) => Promise<void>,
  labeler?: VideoLabeler,
): Promise<string> {
  // Steps that encode the picture anyway draw the AI label in that encode (see label-overlay.ts).
  const label = labelOverlay(output.kind === 'video' ? labeler : undefined);
  const { bytes, parents } = await readMediaInput(ctx, source, media, 'video');
  const work = await makeWorkDir('edit');
  try {
    const input = join(work, 'source');
    await writeFile(input, bytes);
    const result = join(work, output.name);
    try {
      await fn(input, result, label.composeOptions.overlay);
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw toShenbiError(error, 'ENGINE_FAILED');
    }
    const artifact = await ctx.writeArtifact({ kind: output.kind, mimeType: output.mimeType, bytes: await readFile(result), name: output.name, parents, engine: VIDEO_ENGINE, parameters: output.parameters, ...label.explicitLabel() });
    return artifact.id;
  } finally {
    await removeWorkDir(work);
  }
}

const sourcePort = { type: 'string', description: 'The video: an artifact id or a file path.' } as const;
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export interface EditStepDeps {
  voice: () => Pick<EspeakEngine, 'synthesize'>;
  resolveModel: ModelFileResolver;
  media: MediaPolicy;
  labeler?: VideoLabeler;
}

function alignVoice(deps: EditStepDeps): SynthesizeFn {
  return async (text, o) => {
    const r = await deps.voice().synthesize({ text, ...(o.language ? { language: o.language } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    return { audio: r.audio, words: r.words };
  };
}

/** Automatic subtitles on a user's video: aligned to the given script, or recognised by whisper.cpp; burned in or soft. */
export function videoSubtitlesStep(deps: EditStepDeps): StepDefinition {
  return {
    type: 'video.subtitles',
    title: 'Add subtitles to a video',
    version: '1',
    engine: 'ffmpeg',
    inputs: {
      source: sourcePort,
      script: { type: 'string', optional: true, description: 'The known text (aligned); without it the speech is recognised.' },
      language: { type: 'string', optional: true },
      soft: { type: 'boolean', optional: true, default: false },
      model: { type: 'string', optional: true, default: 'whisper-base' },
    },
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const script = str(inputs.script);
      const language = str(inputs.language);
      const id = await onSourceVideo(ctx, deps.media, String(inputs.source), { kind: 'video', mimeType: 'video/mp4', name: 'subtitled.mp4', parameters: { mode: script ? 'aligned' : 'recognised', soft: inputs.soft === true } }, async (input, output, overlay) => {
        const probe = await probeMedia(input);
        const video = probe.streams.find((s) => s.type === 'video');
        if (!probe.streams.some((s) => s.type === 'audio')) throw new ShenbiError('MEDIA_INVALID', 'the video has no sound to subtitle');
        const audio = await decodeAudio(await readFile(input), { sampleRate: 16_000, signal: ctx.signal });
        ctx.progress({ fraction: 0.1, message: script ? 'aligning the script' : 'recognising speech' });
        let words: TimedText[];
        if (script) words = (await forcedAlign(audio, script, { synthesize: alignVoice(deps), ...(language ? { language } : {}), signal: ctx.signal })).words;
        else {
          const model = await deps.resolveModel(str(inputs.model) ?? 'whisper-base');
          words = (await transcribe(audio, { modelPath: model.path, language: language ?? 'auto', signal: ctx.signal })).words;
        }
        if (words.length === 0) throw new ShenbiError('ENGINE_FAILED', 'no words were found to subtitle');
        const ass = writeAss(cuesFromWords(words), { playResX: video?.width ?? 1280, playResY: video?.height ?? 720 });
        await addSubtitles(input, ass, { output, soft: inputs.soft === true, ...(overlay ? { overlay } : {}), signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: 0.4 + 0.6 * f, message: 'encoding' }) });
      }, deps.labeler);
      return { video: id };
    },
  };
}

/** Automatic dubbing: the script spoken by a voice over the video, the original sound ducked or replaced. */
export function videoDubStep(deps: EditStepDeps): StepDefinition {
  return {
    type: 'video.dub',
    title: 'Dub a video',
    version: '1',
    engine: 'ffmpeg',
    inputs: {
      source: sourcePort,
      script: { type: 'string' },
      voice: { type: 'string', optional: true },
      language: { type: 'string', optional: true },
      mode: { type: 'string', optional: true, default: 'duck', description: 'duck | replace' },
    },
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const script = str(inputs.script);
      if (!script) throw new ShenbiError('INVALID_INPUT', 'dubbing needs the script to speak');
      const mode = inputs.mode === 'replace' ? 'replace' : 'duck';
      const id = await onSourceVideo(ctx, deps.media, String(inputs.source), { kind: 'video', mimeType: 'video/mp4', name: 'dubbed.mp4', parameters: { mode, voice: str(inputs.voice) ?? null } }, async (input, output) => {
        const probe = await probeMedia(input);
        const voiceOver = await deps.voice().synthesize({ text: script, signal: ctx.signal, ...(str(inputs.voice) ? { voice: str(inputs.voice)! } : {}), ...(str(inputs.language) ? { language: str(inputs.language)! } : {}) });
        const seconds = voiceOver.audio.samples.length / voiceOver.audio.sampleRate;
        if (seconds > probe.duration + 0.5) {
          throw new ShenbiError('INVALID_INPUT', `the voice-over lasts ${seconds.toFixed(1)} s but the video only ${probe.duration.toFixed(1)} s: shorten the script or raise the speed`);
        }
        await dubVideo(input, await normalizeLoudnessOffThread(voiceOver.audio, { targetLufs: -16, peakDb: -1 }, { signal: ctx.signal }), { output, mode, signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: 0.2 + 0.8 * f, message: 'mixing' }) });
      });
      return { video: id };
    },
  };
}

/** The smart cover: the best frame (sharp, well exposed, colourful, distinct), with an optional title. */
export function videoCoverStep(media: MediaPolicy): StepDefinition {
  return {
    type: 'video.cover',
    title: 'Smart cover',
    version: '1',
    engine: 'ffmpeg',
    inputs: { source: sourcePort, title: { type: 'string', optional: true } },
    outputs: { cover: { type: 'artifact' }, time: { type: 'number' } },
    async run(ctx, inputs) {
      let time = 0;
      const title = str(inputs.title);
      const id = await onSourceVideo(ctx, media, String(inputs.source), { kind: 'image', mimeType: 'image/jpeg', name: 'cover.jpg', parameters: { title: title ?? null } }, async (input, output) => {
        // Scoring the candidate frames is most of the work: report each one (the full-size render is the rest).
        const [best] = await rankCoverFrames(input, { signal: ctx.signal, onProgress: (f, frame, frames) => ctx.progress({ fraction: 0.9 * f, message: `scored frame ${frame}/${frames}` }) });
        time = best!.time;
        await writeFile(output, await renderCover(input, time, { ...(title ? { title } : {}), signal: ctx.signal }));
      });
      return { cover: id, time };
    },
  };
}

export function videoPortraitStep(media: MediaPolicy): StepDefinition {
  return {
    type: 'video.portrait',
    title: 'Landscape to portrait',
    version: '1',
    engine: 'ffmpeg',
    inputs: { source: sourcePort, mode: { type: 'string', optional: true, default: 'follow', description: 'follow | blur' }, resolution: { type: 'string', optional: true, default: '720p' } },
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const mode = inputs.mode === 'blur' ? 'blur' : 'follow';
      const resolution = inputs.resolution === '1080p' ? '1080p' : '720p';
      const id = await onSourceVideo(ctx, media, String(inputs.source), { kind: 'video', mimeType: 'video/mp4', name: 'portrait.mp4', parameters: { mode, resolution } }, (input, output) =>
        toPortrait(input, { output, mode, resolution, signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: f, message: 'reframing' }) }).then(() => undefined),
      );
      return { video: id };
    },
  };
}

export function videoStabilizeStep(media: MediaPolicy, labeler?: VideoLabeler): StepDefinition {
  return {
    type: 'video.stabilize',
    title: 'Stabilise',
    version: '1',
    engine: 'ffmpeg',
    inputs: { source: sourcePort },
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const id = await onSourceVideo(ctx, media, String(inputs.source), { kind: 'video', mimeType: 'video/mp4', name: 'stabilized.mp4', parameters: { method: 'vid.stab two-pass' } }, (input, output, overlay) =>
        stabilize(input, { output, ...(overlay ? { overlay } : {}), signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: f, message: 'stabilising' }) }),
      labeler);
      return { video: id };
    },
  };
}

export function videoEnhanceStep(media: MediaPolicy, labeler?: VideoLabeler): StepDefinition {
  return {
    type: 'video.enhance',
    title: 'Enhance',
    version: '1',
    engine: 'ffmpeg',
    inputs: { source: sourcePort, upscale: { type: 'boolean', optional: true, default: false }, strength: { type: 'string', optional: true, default: 'medium', description: 'light | medium | strong' } },
    outputs: { video: { type: 'artifact' } },
    async run(ctx, inputs) {
      const strength = inputs.strength === 'light' || inputs.strength === 'strong' ? inputs.strength : 'medium';
      const upscale = inputs.upscale === true ? 2 : 1;
      const id = await onSourceVideo(ctx, media, String(inputs.source), { kind: 'video', mimeType: 'video/mp4', name: 'enhanced.mp4', parameters: { strength, upscale } }, (input, output, overlay) =>
        enhanceVideo(input, { output, strength, upscale, ...(overlay ? { overlay } : {}), signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: f, message: 'enhancing' }) }),
      labeler);
      return { video: id };
    },
  };
}
