import type { VideoLabeler } from '../../../governance/explicit/video-labeler.ts';
import { labelOverlay } from './label-overlay.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import type { TimedText } from '../../../core/timing.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import type { EspeakEngine } from '../../../engines/espeak/index.ts';
import { createRandom } from '../../../engines/seeded-random.ts';
import { composeVideo } from '../../../engines/video/compose-video.ts';
import { narrationAss } from '../../../engines/video/narration-ass.ts';
import { frameSize, type SceneInput as Scene } from '../../../engines/video/timeline.ts';
import { encodeWavOffThread, normalizeLoudnessOffThread } from '../../../media/audio/off-thread.ts';
import { concatPcm, type PcmAudio } from '../../../media/audio/pcm.ts';
import { narrationCues, type NarratedScene } from '../../../media/subtitles/narration-cues.ts';
import { writeNarrationSubtitleFiles } from './narration-subtitle-files.ts';
import { movable } from '../../../workers/off-thread.ts';
import { VIDEO_ENGINE } from './lyric-video-step.ts';
import { scenePictureFile } from './scene-pictures.ts';
import type { TimedPhoneme } from '../../../engines/talking-head/types.ts';
import { consentForLikeness } from '../../../governance/moderation/index.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { renderPresenterClip } from '../talking-head/presenter-clip.ts';
import { makeWorkDir, removeWorkDir } from '../../../fs/work-dir.ts';
import { safeFileBase, safeFileName } from '../../../core/file-name.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import { present } from '../present-inputs.ts';

const PALETTES = [['#0f2027', '#2c5364'], ['#42275a', '#734b6d'], ['#134e5e', '#71b280'], ['#1d2b53', '#7e2553'], ['#3a1c71', '#d76d77'], ['#16222a', '#3a6073']];
const MOTIONS: NonNullable<Scene['motion']>[] = ['zoom-in', 'pan-right', 'zoom-out', 'pan-left'];
const GAP = 0.4;

const inputSchema = z.object({
  script: z.object({
    title: z.string(),
    scenes: z
      .array(
        z.object({
          narration: z.string(),
          caption: z.string(),
          /** Artifact ids: a video clip (looped or trimmed to the narration) or a still image. */
          video: z.string().min(1).optional(),
          image: z.string().min(1).optional(),
        }),
      )
      .min(1)
      .max(50),
  }),
  /** Artifact ids given to scenes in order (a scene's own `video`/`image` wins); extra ones are unused. */
  clips: z.array(z.string().min(1)).max(50).default([]).describe('video or image artifact ids, one per scene in order'),
  voice: z.string().optional(),
  speed: z.number().min(0.5).max(2).default(1),
  aspect: z.enum(['16:9', '9:16', '1:1']).default('16:9'),
  resolution: z.enum(['720p', '1080p']).default('720p'),
  seed: z.number().int().min(0).default(1),
  /** A presenter's portrait: a talking head reads the narration in a corner (picture in picture). */
  presenter: z.string().trim().min(1).max(4096).optional().describe('a portrait: a talking presenter reads the narration in a corner'),
  /** For a real person's portrait: checked by governance and recorded in the provenance. */
  consent: z.unknown().optional().describe('for a real person: { subject, basis }'),
});

const PRESENTER = { input: 'presenter', feature: 'A talking presenter' } as const;

/**
 * A script of scenes → a narrated, subtitled video: each scene's narration is spoken (eSpeak),
 * the scene lasts as long as its narration, its caption is shown large, and the narration's
 * words become subtitles timed from the voice's own word events, scene by scene (also written
 * beside the video as SRT and WebVTT).
 */
export function narratedVideoStep(voice: () => Pick<EspeakEngine, 'synthesize'>, labeler?: VideoLabeler, media?: MediaPolicy): StepDefinition {
  return {
    type: 'video.narrated',
    title: 'Narrated video',
    description: 'Scenes with spoken narration, captions and subtitles, cut to the narration; a scene may show a clip or image artifact.',
    version: '4',
    engine: 'ffmpeg',
    likeness: PRESENTER,
    inputs: inputPorts(inputSchema),
    outputs: { video: { type: 'artifact' }, subtitles: { type: 'artifact' }, webvtt: { type: 'artifact' }, duration: { type: 'number' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'video.narrated input');
      // A presenter's consent is checked before any work (and at submission, when it is a job input).
      const consent = input.presenter === undefined ? undefined : await consentForLikeness(input.presenter, input.consent, PRESENTER, { findArtifact: async (id) => (await ctx.readArtifact(id)).artifact });
      const phonemes: TimedPhoneme[] = [];
      const random = createRandom(input.seed);
      const spoken: PcmAudio[] = [];
      const narrated: NarratedScene[] = [];
      const captions: TimedText[] = [];
      const scenes: Scene[] = [];
      let offset = 0;
      const palette = random.pick([...PALETTES.keys()]);
      for (const [i, scene] of input.script.scenes.entries()) {
        ctx.progress({ fraction: (0.3 * i) / input.script.scenes.length, message: `narrating scene ${i + 1}` });
        if (scene.video !== undefined && scene.image !== undefined) throw new ShenbiError('INVALID_INPUT', `scene ${i + 1} has both a video and an image; give one`);
        const text = scene.narration.trim() || scene.caption.trim();
        if (text === '') throw new ShenbiError('INVALID_INPUT', `scene ${i + 1} has neither narration nor caption`);
        let result;
        try {
          result = await voice().synthesize({ text, speed: input.speed, signal: ctx.signal, ...(input.voice ? { voice: input.voice } : {}) });
        } catch (error) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          throw toShenbiError(error, 'ENGINE_FAILED');
        }
        const seconds = result.audio.samples.length / result.audio.sampleRate;
        spoken.push(result.audio);
        for (const p of result.phonemes) phonemes.push({ phoneme: p.phoneme, start: p.start + offset, end: p.end + offset });
        const length = seconds + (i < input.script.scenes.length - 1 ? GAP : 0.6);
        narrated.push({ text, words: result.words.map((w) => ({ text: w.text, start: w.start + offset, end: w.end + offset })), start: offset, end: offset + length });
        captions.push({ text: scene.caption.trim(), start: offset, end: offset + length });
        scenes.push({ duration: length, colors: [...PALETTES[(palette + i) % PALETTES.length]!], motion: MOTIONS[i % MOTIONS.length]! });
        offset += length;
      }
      const joined = concatPcm(spoken, GAP);
      const narration = await normalizeLoudnessOffThread(joined, { targetLufs: -16, peakDb: -1 }, { signal: ctx.signal, transfer: movable(joined.samples) });
      const { width, height } = frameSize(input.aspect, input.resolution);
      const cues = narrationCues(narrated);
      const ass = narrationAss(captions, cues, { width, height });
      const work = await makeWorkDir('narrated');
      try {
        // Pictures from the store replace the designed backgrounds scene by scene.
        const pictured: string[] = [];
        for (const [i, scene] of input.script.scenes.entries()) {
          const id = scene.video ?? scene.image ?? input.clips[i];
          if (id === undefined) continue;
          const picture = await scenePictureFile(ctx, id, work, i);
          const { duration, motion } = scenes[i]!;
          scenes[i] = 'video' in picture ? { duration, video: picture.video } : { duration, motion, image: picture.image };
          pictured.push(id);
        }
        let presenter: { video: string; size: number } | undefined;
        if (input.presenter !== undefined) {
          if (media === undefined) throw new ShenbiError('ENGINE_UNAVAILABLE', 'This server has no media policy for presenter portraits.');
          const portrait = await readMediaInput(ctx, input.presenter, media, 'image');
          pictured.push(...portrait.parents);
          const size = Math.round((Math.min(width, height) * 0.34) / 2) * 2;
          ctx.progress({ fraction: 0.3, message: 'animating the presenter' });
          const clip = await renderPresenterClip({ portrait: portrait.bytes, phonemes, narration, duration: offset, size, dir: work, seed: input.seed, signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: 0.3 + 0.3 * f, message: 'animating the presenter' }) });
          presenter = { video: clip.path, size };
        }
        const audioPath = join(work, 'narration.wav');
        await writeFile(audioPath, await encodeWavOffThread(narration, 1, { signal: ctx.signal }));
        const output = join(work, 'video.mp4');
        const label = labelOverlay(labeler);
        try {
          await composeVideo(
            { aspect: input.aspect, resolution: input.resolution, scenes, audio: audioPath, ass, ...(presenter === undefined ? {} : { presenter }) },
            { output, ...label.composeOptions, signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: (presenter === undefined ? 0.3 : 0.6) + (presenter === undefined ? 0.65 : 0.35) * f, message: 'encoding video' }) },
          );
        } catch (error) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          throw toShenbiError(error, 'ENGINE_FAILED');
        }
        const video = await ctx.writeArtifact({
          ...label.explicitLabel(),
          kind: 'video',
          mimeType: 'video/mp4',
          bytes: await readFile(output),
          name: safeFileName(input.script.title, 'mp4', 'video'),
          engine: VIDEO_ENGINE,
          parents: pictured,
          parameters: {
            aspect: input.aspect,
            resolution: input.resolution,
            scenes: scenes.length,
            pictured: pictured.length,
            narration: 'espeak-ng',
            ...(input.presenter === undefined ? {} : { presenter: true, ...(consent === undefined ? { likeness: 'synthetic' } : { consent }) }),
          },
          seed: input.seed,
        });
        const subtitles = await writeNarrationSubtitleFiles(ctx, cues, { id: video.id, baseName: safeFileBase(input.script.title, 'video') });
        return { video: video.id, subtitles: subtitles.srt, webvtt: subtitles.vtt, duration: offset };
      } finally {
        await removeWorkDir(work);
      }
    },
  };
}
