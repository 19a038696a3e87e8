import type { VideoLabeler } from '../../../governance/explicit/video-labeler.ts';
import { labelOverlay } from './label-overlay.ts';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import type { TimedText } from '../../../core/timing.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import type { EspeakEngine } from '../../../engines/espeak/index.ts';
import { composeVideo } from '../../../engines/video/compose-video.ts';
import { narrationAss } from '../../../engines/video/narration-ass.ts';
import { frameSize, type SceneInput } from '../../../engines/video/timeline.ts';
import { decodeAudio } from '../../../media/audio/encode.ts';
import { duckAndMixOffThread, encodeWavOffThread, gainToOffThread, normalizeLoudnessOffThread, resampleOffThread } from '../../../media/audio/off-thread.ts';
import { concatPcm, type PcmAudio } from '../../../media/audio/pcm.ts';
import { narrationCues, type NarratedScene } from '../../../media/subtitles/narration-cues.ts';
import { writeNarrationSubtitleFiles } from './narration-subtitle-files.ts';
import { splitSentences } from '../../../media/text/sentences.ts';
import type { MediaPolicy } from '../media-input.ts';
import { allowedPath } from '../local-media-path.ts';
import { VIDEO_ENGINE } from './lyric-video-step.ts';
import { makeWorkDir, removeWorkDir } from '../../../fs/work-dir.ts';
import { safeFileBase, safeFileName } from '../../../core/file-name.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import { present } from '../present-inputs.ts';

const PICTURES = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const CLIPS = new Set(['.mp4', '.mov', '.m4v', '.webm', '.mkv']);
const MUSIC = new Set(['.mp3', '.wav', '.ogg', '.flac', '.m4a']);
const MOTIONS = ['zoom-in', 'pan-right', 'zoom-out', 'pan-left'] as const;
const GAP = 0.3;

const inputSchema = z.object({
  folder: z.string().min(1).describe('A folder inside the media roots.'),
  script: z.string().min(1).max(20_000),
  title: z.string().max(200).optional(),
  voice: z.string().optional(),
  aspect: z.enum(['16:9', '9:16', '1:1']).default('9:16'),
  resolution: z.enum(['720p', '1080p']).default('720p'),
});

/**
 * "One click": a folder of material (pictures, clips, optionally a music file) plus a script →
 * a finished short. Each sentence of the script is narrated and gets the next piece of
 * material in name order; subtitles follow the narration's words; music, if present, is ducked
 * under the voice.
 */
export function folderShortStep(voice: () => Pick<EspeakEngine, 'synthesize'>, media: MediaPolicy, labeler?: VideoLabeler): StepDefinition {
  return {
    type: 'video.folder-short',
    title: 'Folder to short video',
    description: 'Pictures and clips from a folder, cut to a narrated script, with subtitles and ducked music.',
    version: '2',
    engine: 'ffmpeg',
    inputs: inputPorts(inputSchema),
    outputs: { video: { type: 'artifact' }, subtitles: { type: 'artifact' }, webvtt: { type: 'artifact' }, duration: { type: 'number' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'video.folder-short input');
      const folder = await allowedPath(input.folder, { roots: media.roots, caller: ctx.caller, what: 'folder' });
      let names: string[];
      try {
        names = (await readdir(folder)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      } catch (error) {
        throw new ShenbiError('MEDIA_INVALID', `cannot list the folder ${input.folder}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
      }
      const material = names.filter((n) => PICTURES.has(extname(n).toLowerCase()) || CLIPS.has(extname(n).toLowerCase())).map((n) => join(folder, n));
      const musicFile = names.find((n) => MUSIC.has(extname(n).toLowerCase()));
      if (material.length === 0) throw new ShenbiError('INVALID_INPUT', `no pictures or clips in ${folder} (looked for ${[...PICTURES, ...CLIPS].join(' ')})`);
      const sentences = splitSentences(input.script);
      if (sentences.length === 0) throw new ShenbiError('INVALID_INPUT', 'the script has nothing to say');

      const spoken: PcmAudio[] = [];
      const narrated: NarratedScene[] = [];
      const scenes: SceneInput[] = [];
      let offset = 0;
      for (const [i, sentence] of sentences.entries()) {
        ctx.progress({ fraction: (0.3 * i) / sentences.length, message: `narrating ${i + 1}/${sentences.length}` });
        let result;
        try {
          result = await voice().synthesize({ text: sentence, signal: ctx.signal, ...(input.voice ? { voice: input.voice } : {}) });
        } catch (error) {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          throw toShenbiError(error, 'ENGINE_FAILED');
        }
        const seconds = result.audio.samples.length / result.audio.sampleRate;
        spoken.push(result.audio);
        const duration = seconds + (i < sentences.length - 1 ? GAP : 0.8);
        narrated.push({ text: sentence, words: result.words.map((w) => ({ text: w.text, start: w.start + offset, end: w.end + offset })), start: offset, end: offset + duration });
        const file = material[i % material.length]!;
        scenes.push(CLIPS.has(extname(file).toLowerCase()) ? { video: file, duration } : { image: file, duration, motion: MOTIONS[i % MOTIONS.length]! });
        offset += duration;
      }
      const run = { signal: ctx.signal };
      let soundtrack = await gainToOffThread(concatPcm(spoken, GAP), -16, run);
      if (musicFile) {
        const musicPath = join(folder, musicFile);
        const music = await resampleOffThread(await decodeAudio(await readFile(musicPath), run), soundtrack.sampleRate, run);
        const bed = { sampleRate: soundtrack.sampleRate, samples: music.samples.subarray(0, soundtrack.samples.length) };
        soundtrack = await duckAndMixOffThread(await gainToOffThread(bed, -26, run), soundtrack, { duckDb: -8 }, run);
      }
      soundtrack = await normalizeLoudnessOffThread(soundtrack, { targetLufs: -14, peakDb: -1 }, run);
      const { width, height } = frameSize(input.aspect, input.resolution);
      const captions = input.title ? [{ text: input.title, start: 0, end: Math.min(3, offset) }] : [];
      const cues = narrationCues(narrated);
      const ass = narrationAss(captions, cues, { width, height });
      const work = await makeWorkDir('folder-short');
      try {
        const audioPath = join(work, 'soundtrack.wav');
        await writeFile(audioPath, await encodeWavOffThread(soundtrack, 1, run));
        const output = join(work, 'short.mp4');
        const label = labelOverlay(labeler);
        try {
          await composeVideo(
            { aspect: input.aspect, resolution: input.resolution, scenes, audio: audioPath, ass },
            { output, ...label.composeOptions, signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: 0.3 + 0.65 * f, message: 'encoding video' }) },
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
          name: safeFileName(input.title, 'mp4', 'short'),
          engine: VIDEO_ENGINE,
          parameters: { aspect: input.aspect, resolution: input.resolution, scenes: scenes.length, material: material.length, music: musicFile ?? null },
        });
        const subtitles = await writeNarrationSubtitleFiles(ctx, cues, { id: video.id, baseName: safeFileBase(input.title, 'short') });
        return { video: video.id, subtitles: subtitles.srt, webvtt: subtitles.vtt, duration: offset };
      } finally {
        await removeWorkDir(work);
      }
    },
  };
}
