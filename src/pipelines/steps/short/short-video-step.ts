import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import { safeFileBase, safeFileName } from '../../../core/file-name.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepContext, StepDefinition } from '../../../core/step.ts';
import { present } from '../present-inputs.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import type { CloudMusicOptions } from '../../../engines/cloud-music/index.ts';
import { MIX_SAMPLE_RATE, mixShortAudio } from '../../../engines/short/mix/index.ts';
import { shortScriptSchema, type PictureSource, type ScenePicture } from '../../../engines/short/short-script.ts';
import { composeVideo } from '../../../engines/video/compose-video.ts';
import { narrationAss } from '../../../engines/video/narration-ass.ts';
import { rankCoverFrames, renderCover } from '../../../engines/video/smart-cover.ts';
import { frameSize, type SceneInput } from '../../../engines/video/timeline.ts';
import { makeWorkDir, removeWorkDir } from '../../../fs/work-dir.ts';
import type { VideoLabeler } from '../../../governance/explicit/video-labeler.ts';
import { consentForLikeness } from '../../../governance/moderation/index.ts';
import { encodeWavOffThread } from '../../../media/audio/off-thread.ts';
import { narrationCues } from '../../../media/subtitles/narration-cues.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { renderPresenterClip } from '../talking-head/presenter-clip.ts';
import { labelOverlay } from '../video/label-overlay.ts';
import { VIDEO_ENGINE } from '../video/lyric-video-step.ts';
import { writeNarrationSubtitleFiles } from '../video/narration-subtitle-files.ts';
import { scenePictureFile } from '../video/scene-pictures.ts';
import { narrateScenes, placeNarration, type ShortVoice } from './short-narration.ts';
import { effectProvenance, isProviderMusic, shortEffects, shortMusic } from './short-sources.ts';
import { clipDurations, CROSS_FADE_SECONDS, shortTimeline } from './short-timeline.ts';
import { withTitleCard } from './title-card.ts';

/** Sounds are made at the mixer's rate where we choose it (effects, decoded tracks), saving a resampling pass. */
const SAMPLE_RATE = MIX_SAMPLE_RATE;
const MOTIONS = ['zoom-in', 'pan-right', 'zoom-out', 'pan-left'] as const;

const PICTURE_SOURCES = ['upload', 'provider', 'sd-server', 'diffusion', 'card'] as const satisfies readonly PictureSource[];
const scenePictureSchema = z.object({ artifact: z.string().min(1), source: z.enum(PICTURE_SOURCES), note: z.string().optional() }).strict();

const inputSchema = z.object({
  script: shortScriptSchema,
  pictures: z.array(scenePictureSchema).min(1).max(50).describe('one picture per scene: [{ artifact, source }]'),
  /** 'none', the user's track (art_/upl_/path), or a provider music model; absent: the composer's bed. */
  music: z.string().trim().min(1).max(4096).optional().describe("'none', a track, or a provider music model; absent: the composer's bed"),
  /** A folder of the user's effect files (whoosh.wav …) used where it has the effect. */
  effects: z.string().trim().min(1).max(4096).optional().describe('a folder of your effect files (whoosh.wav …)'),
  /** A provider sound model (elevenlabs:sound-generation, fal:fal-ai/stable-audio …) for the effects your folder lacks; absent: Shenbi's own. */
  effectsModel: z.string().trim().max(200).refine(isProviderMusic, 'effectsModel is a provider sound model such as elevenlabs:sound-generation or fal:fal-ai/stable-audio').optional().describe("a provider sound model for the effects (elevenlabs:sound-generation …); absent: Shenbi's own"),
  voice: z.string().optional(),
  speed: z.number().min(0.5).max(2).default(1),
  aspect: z.enum(['16:9', '9:16', '1:1']).default('9:16'),
  resolution: z.enum(['720p', '1080p']).default('720p'),
  titleCard: z.boolean().default(true),
  presenter: z.string().trim().min(1).max(4096).optional().describe('a portrait: a talking presenter reads the narration in a corner'),
  consent: z.unknown().optional().describe('for a real person: { subject, basis }'),
  seed: z.number().int().min(0).default(1),
});

const PRESENTER = { input: 'presenter', feature: 'A talking presenter' } as const;

export interface ShortVideoStepDeps {
  voice: ShortVoice;
  media?: MediaPolicy;
  labeler?: VideoLabeler;
  /** The configured providers, for a provider music model. */
  providers?: () => Omit<CloudMusicOptions, 'signal'>;
}

/**
 * The short's finish: a script and a picture per scene → a narrated (eSpeak, word-timed
 * subtitles), scored (the composer's bed, the user's track or a provider's), sound-designed
 * (effects at their cues), titled and labeled 9:16 MP4 at −14 LUFS in one encode, with a smart
 * cover, SRT and WebVTT; every source in the provenance.
 */
export function shortVideoStep(deps: ShortVideoStepDeps): StepDefinition {
  return {
    type: 'video.short',
    title: 'Short video',
    description: 'A script and a picture per scene become a narrated short with music, sound effects, subtitles, a title card and a cover.',
    version: '2',
    engine: 'ffmpeg',
    likeness: PRESENTER,
    // The defaults live in inputSchema, once; the port table only names the ports.
    inputs: inputPorts(inputSchema),
    outputs: {
      video: { type: 'artifact' },
      cover: { type: 'artifact' },
      subtitles: { type: 'artifact' },
      webvtt: { type: 'artifact' },
      duration: { type: 'number' },
      timeline: { type: 'json' },
      loudness: { type: 'json' },
      sources: { type: 'json' },
    },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'video.short input');
      const consent = input.presenter === undefined ? undefined : await consentForLikeness(input.presenter, input.consent, PRESENTER, { findArtifact: async (id) => (await ctx.readArtifact(id)).artifact });
      const { script } = input;
      const say = (fraction: number, message: string) => ctx.progress({ fraction, message });

      const spoken = await narrateScenes(deps.voice, script, { voice: input.voice, speed: input.speed, signal: ctx.signal, onScene: (i, n) => say((0.15 * i) / n, `narrating scene ${i + 1}/${n}`) });
      const timeline = shortTimeline(script, spoken.scenes.map((s) => s.seconds), { titleCard: input.titleCard });
      const narration = placeNarration(spoken.scenes, timeline.narrationStarts, timeline.duration);

      say(0.15, input.music === undefined ? 'composing the music bed' : input.music === 'none' ? 'no music' : 'preparing the music');
      const music = await shortMusic(ctx, { music: input.music, mood: script.mood, seconds: timeline.duration, seed: input.seed, sampleRate: SAMPLE_RATE, media: deps.media, providers: deps.providers });
      for (const warning of music.warnings) say(0.25, warning);
      say(0.25, `placing ${timeline.effects.length} sound effects`);
      const effects = await shortEffects(ctx, timeline.effects, { folder: input.effects, media: deps.media, seed: input.seed, sampleRate: SAMPLE_RATE, model: input.effectsModel, providers: deps.providers, onWarning: (warning) => say(0.28, warning) });
      say(0.28, 'mixing');
      let mixed;
      try {
        mixed = await mixShortAudio({ narration, ...(music.audio === undefined ? {} : { bed: music.audio }), effects: effects.map((e) => ({ audio: e.audio, at: e.time })), signal: ctx.signal });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }

      const { width, height } = frameSize(input.aspect, input.resolution);
      const narrated = spoken.scenes.map((s, i) => {
        const start = timeline.narrationStarts[i]!;
        return { text: s.text, words: s.words.map((w) => ({ text: w.text, start: w.start + start, end: w.end + start })), start: timeline.scenes[i]!.start, end: timeline.scenes[i]!.end };
      });
      const cues = narrationCues(narrated);
      const captions = script.scenes.map((s, i) => ({ text: s.caption, start: timeline.scenes[i]!.start, end: timeline.scenes[i]!.end })).filter((c) => c.text !== '');
      const plainAss = narrationAss(captions, cues, { width, height });
      const ass = timeline.titleCard === null ? plainAss : withTitleCard(plainAss, script.title, timeline.titleCard, { width, height });

      const work = await makeWorkDir('short');
      try {
        const spans = timeline.titleCard === null ? timeline.scenes : [timeline.titleCard, ...timeline.scenes];
        const lengths = clipDurations(spans, CROSS_FADE_SECONDS);
        const scenes: SceneInput[] = [];
        const files = new Map<string, Awaited<ReturnType<typeof scenePictureFile>>>();
        for (const [i, length] of lengths.entries()) {
          // The title card shows the first scene's picture; scenes past the pictures given reuse them in turn.
          const sceneIndex = timeline.titleCard === null ? i : Math.max(0, i - 1);
          const picture = input.pictures[sceneIndex % input.pictures.length]!;
          let file = files.get(picture.artifact);
          if (file === undefined) {
            file = await pictureFile(ctx, picture, work, files.size, deps.media);
            files.set(picture.artifact, file);
          }
          scenes.push('video' in file ? { duration: length, video: file.video } : { duration: length, image: file.image, motion: MOTIONS[i % MOTIONS.length]! });
        }

        let presenter: { video: string; size: number } | undefined;
        const presenterParents: string[] = [];
        if (input.presenter !== undefined) {
          if (deps.media === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This server has no media policy for presenter portraits.');
          const portrait = await readMediaInput(ctx, input.presenter, deps.media, 'image');
          presenterParents.push(...portrait.parents);
          const size = Math.round((Math.min(width, height) * 0.34) / 2) * 2;
          const phonemes = spoken.scenes.flatMap((s, i) => s.phonemes.map((p) => ({ phoneme: p.phoneme, start: p.start + timeline.narrationStarts[i]!, end: p.end + timeline.narrationStarts[i]! })));
          say(0.3, 'animating the presenter');
          const clip = await renderPresenterClip({ portrait: portrait.bytes, phonemes, narration, duration: timeline.duration, size, dir: work, seed: input.seed, signal: ctx.signal, onProgress: (f) => say(0.3 + 0.2 * f, 'animating the presenter') });
          presenter = { video: clip.path, size };
        }

        const audioPath = join(work, 'soundtrack.wav');
        await writeFile(audioPath, await encodeWavOffThread(mixed.audio, 1, { signal: ctx.signal }));
        const output = join(work, 'short.mp4');
        const label = labelOverlay(deps.labeler);
        const encodeFrom = presenter === undefined ? 0.3 : 0.5;
        say(encodeFrom, 'encoding');
        try {
          await composeVideo(
            { aspect: input.aspect, resolution: input.resolution, scenes, transition: CROSS_FADE_SECONDS, audio: audioPath, ass, ...(presenter === undefined ? {} : { presenter }) },
            { output, ...label.composeOptions, signal: ctx.signal, onProgress: (f) => say(encodeFrom + (0.88 - encodeFrom) * f, 'encoding') },
          );
        } catch (error) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          throw toShenbiError(error, 'ENGINE_FAILED');
        }
        say(0.88, 'storing the video');

        const sources = {
          pictures: input.pictures.map((p, i) => ({ scene: i + 1, artifact: p.artifact, source: p.source, ...(p.note === undefined ? {} : { note: p.note }) })),
          music: music.source,
          effects: effects.map((e) => ({ ...effectProvenance(e), time: round(e.time) })),
          narration: { engine: 'espeak-ng', voice: spoken.voice ?? null, language: spoken.language ?? null },
        };
        const loudness = { narrationLufs: round(mixed.loudness.narrationLufs), finalLufs: round(mixed.loudness.finalLufs), truePeakDb: round(mixed.loudness.truePeakDb) };
        const shape = {
          scenes: timeline.scenes.map((s) => ({ start: round(s.start), end: round(s.end) })),
          effects: timeline.effects.map((e) => ({ effect: e.effect, time: round(e.time) })),
          titleCard: timeline.titleCard === null ? null : { start: timeline.titleCard.start, end: timeline.titleCard.end },
        };
        const video = await ctx.writeArtifact({
          ...label.explicitLabel(),
          kind: 'video',
          mimeType: 'video/mp4',
          bytes: await readFile(output),
          name: safeFileName(script.title, 'mp4', 'short'),
          engine: VIDEO_ENGINE,
          // The user's own pictures (uploads, files) are read, never parents; stored pictures are.
          parents: [...new Set([...input.pictures.map((p) => p.artifact).filter((ref) => ARTIFACT_ID.test(ref)), ...music.parents, ...presenterParents])],
          parameters: {
            aspect: input.aspect,
            resolution: input.resolution,
            title: script.title,
            mood: script.mood,
            scenes: script.scenes.length,
            titleCard: input.titleCard,
            sources,
            loudness,
            ...(input.presenter === undefined ? {} : { presenter: true, ...(consent === undefined ? { likeness: 'synthetic' } : { consent }) }),
          },
          seed: input.seed,
        });
        const subtitles = await writeNarrationSubtitleFiles(ctx, cues, { id: video.id, baseName: safeFileBase(script.title, 'short') });

        say(0.9, 'choosing the cover');
        const cover = await shortCover(ctx, output, { title: script.title, width, titleCardEnd: timeline.titleCard?.end ?? 0, video: video.id });
        return { video: video.id, cover, subtitles: subtitles.srt, webvtt: subtitles.vtt, duration: round(timeline.duration), timeline: shape, loudness, sources };
      } finally {
        await removeWorkDir(work);
      }
    },
  };
}

/** The smart cover (sharp, well exposed, colourful, distinct) past the title card, with the title. */
async function shortCover(ctx: Parameters<StepDefinition['run']>[0], path: string, options: { title: string; width: number; titleCardEnd: number; video: string }): Promise<string> {
  try {
    const ranked = await rankCoverFrames(path, { candidates: 12, signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: 0.9 + 0.08 * f, message: 'choosing the cover' }) });
    // The title card already shows the title: a scene's frame with the title band reads better.
    const best = ranked.find((r) => r.time >= options.titleCardEnd) ?? ranked[0]!;
    const bytes = await renderCover(path, best.time, { title: options.title, width: options.width, signal: ctx.signal });
    const cover = await ctx.writeArtifact({ kind: 'image', mimeType: 'image/jpeg', bytes, name: safeFileName(options.title, 'jpg', 'cover'), engine: VIDEO_ENGINE, parents: [options.video], parameters: { time: round(best.time), title: options.title } });
    return cover.id;
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw toShenbiError(error, 'ENGINE_FAILED');
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const ARTIFACT_ID = /^art_[0-9a-z]+$/;

/** A scene's picture as a file: a stored one through the store (its own label trimmed), the user's own (upload id, URL, file) through the media rules. */
async function pictureFile(ctx: StepContext, picture: ScenePicture, work: string, index: number, media: MediaPolicy | undefined): Promise<Awaited<ReturnType<typeof scenePictureFile>>> {
  if (ARTIFACT_ID.test(picture.artifact)) return scenePictureFile(ctx, picture.artifact, work, index);
  if (media === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This server has no media policy for your pictures.');
  const read = await readMediaInput(ctx, picture.artifact, media, 'image');
  const path = join(work, `scene-${index}-own`);
  await writeFile(path, read.bytes);
  return { image: path };
}
