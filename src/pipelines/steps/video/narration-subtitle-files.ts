import type { StepContext } from '../../../core/step.ts';
import { writeSrt, writeVtt, type Cue } from '../../../media/subtitles/index.ts';
import { SUBTITLE_MIME } from '../speech/subtitle-formats.ts';
import { VIDEO_ENGINE } from './lyric-video-step.ts';

/**
 * The narration's subtitles as files beside a narrated video (SRT and WebVTT), the same cues
 * the video shows, so they can be uploaded to a platform or edited. Written after the video,
 * which is their parent.
 */
export async function writeNarrationSubtitleFiles(ctx: Pick<StepContext, 'writeArtifact'>, cues: readonly Cue[], video: { id: string; baseName: string }): Promise<{ srt: string; vtt: string }> {
  const draft = (format: 'srt' | 'vtt', text: string) => ({
    kind: 'subtitle' as const,
    mimeType: SUBTITLE_MIME[format],
    bytes: Buffer.from(text, 'utf8'),
    name: `${video.baseName}.${format}`,
    parents: [video.id],
    engine: VIDEO_ENGINE,
    parameters: { cues: cues.length, from: 'narration' },
  });
  const srt = await ctx.writeArtifact(draft('srt', writeSrt(cues)));
  const vtt = await ctx.writeArtifact(draft('vtt', writeVtt(cues)));
  return { srt: srt.id, vtt: vtt.id };
}
