import type { VideoLabeler } from '../../../governance/explicit/video-labeler.ts';
import { labelOverlay } from './label-overlay.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ShenbiError, toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { composeVideo } from '../../../engines/video/compose-video.ts';
import { lyricAss } from '../../../engines/video/lyric-ass.ts';
import { probeMedia } from '../../../engines/video/run-ffmpeg.ts';
import { frameSize } from '../../../engines/video/timeline.ts';
import { lyricScenes } from './lyric-scenes.ts';
import { parseLrc } from '../../../media/subtitles/index.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { makeWorkDir, removeWorkDir } from '../../../fs/work-dir.ts';
import { safeFileName } from '../../../core/file-name.ts';
import { artifactInput, inputPorts } from '../../../core/step-inputs.ts';
import { present } from '../present-inputs.ts';

export const VIDEO_ENGINE = { id: 'shenbi-video (ffmpeg)', version: '1' } as const;

const inputSchema = z.object({
  audio: artifactInput(z.string().min(1)).describe('The song (audio).'),
  lyricSheet: artifactInput(z.string().min(1)).describe('Its LRC lyric sheet.'),
  title: z.string().max(200).optional(),
  aspect: z.enum(['16:9', '9:16', '1:1']).default('16:9'),
  resolution: z.enum(['720p', '1080p']).default('720p'),
  seed: z.number().int().min(0).default(1),
});

/**
 * Song + its lyric sheet → a lyric video: a designed typographic scene per line (a gradient
 * background), cut on the lyric timings, with karaoke-coloured lines and the title over the intro.
 */
export function lyricVideoStep(media: MediaPolicy, labeler?: VideoLabeler): StepDefinition {
  return {
    type: 'video.lyric',
    title: 'Lyric video',
    description: 'A video for a song: one scene per lyric line, cut on its timing, with karaoke lyrics.',
    version: '2',
    engine: 'ffmpeg',
    inputs: inputPorts(inputSchema),
    outputs: { video: { type: 'artifact' }, duration: { type: 'number' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'video.lyric input');
      const song = await readMediaInput(ctx, input.audio, media, 'audio');
      const sheet = await readMediaInput(ctx, input.lyricSheet, media, 'text');
      const work = await makeWorkDir('lyric-video');
      try {
        const audioPath = join(work, 'song.audio');
        await writeFile(audioPath, song.bytes);
        const probe = await probeMedia(audioPath);
        if (!probe.streams.some((s) => s.type === 'audio') || !(probe.duration > 0)) throw new ShenbiError('MEDIA_INVALID', 'the song has no audio (or zero length)');
        const lrc = parseLrc(sheet.bytes.toString('utf8'));
        if (lrc.lines.length === 0) throw new ShenbiError('INVALID_INPUT', 'the lyric sheet has no timed lines');
        const duration = probe.duration;
        if (lrc.lines[0]!.start >= duration) throw new ShenbiError('INVALID_INPUT', `the lyrics start at ${lrc.lines[0]!.start} s, after the song ends (${duration.toFixed(1)} s): mismatched files?`);

        const { scenes, cues } = lyricScenes(lrc, duration, input.seed);
        const { width, height } = frameSize(input.aspect, input.resolution);
        const title = input.title ?? lrc.tags.ti;
        const ass = lyricAss(cues, { width, height, ...(title ? { title, titleEnd: lrc.lines[0]!.start } : {}) });
        const output = join(work, 'lyric-video.mp4');
        const label = labelOverlay(labeler);
        try {
          await composeVideo(
            { aspect: input.aspect, resolution: input.resolution, scenes, transition: 0, audio: audioPath, ass },
            { output, ...label.composeOptions, signal: ctx.signal, onProgress: (f) => ctx.progress({ fraction: 0.05 + 0.9 * f, message: 'encoding video' }) },
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
          name: safeFileName(title, 'mp4', 'lyric-video'),
          parents: [...song.parents, ...sheet.parents],
          engine: VIDEO_ENGINE,
          parameters: { aspect: input.aspect, resolution: input.resolution, scenes: scenes.length, design: 'typographic' },
          seed: input.seed,
        });
        return { video: video.id, duration };
      } finally {
        await removeWorkDir(work);
      }
    },
  };
}
