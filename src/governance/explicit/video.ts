import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { keepStreamsInMp4, mainPictureIndex } from '../../engines/video/keep-streams.ts';
import { probeMedia, runFfmpeg } from '../../engines/video/run-ffmpeg.ts';
import { labelFontFile } from './font-file.ts';
import { inkMetrics } from './glyph-metrics.ts';
import type { Corner } from './options.ts';
import { probeStreams } from './probe-stream.ts';
import type { ExplicitResult } from './text.ts';
import { makeWorkDir, removeWorkDir } from '../../fs/work-dir.ts';

export interface VideoLabelOptions {
  readonly wording: string;
  readonly corner: Corner;
  /** Target ink height / shortest side. */
  readonly inkRatio: number;
  /** Seconds from the first frame the label shows; ignored when persistent. */
  readonly seconds: number;
  readonly persistent: boolean;
  readonly signal?: AbortSignal;
}

/** A value inside a filtergraph option: ':' and '\' and quotes must not end it early. */
function filterValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`;
}

/** The frame a label is drawn on: its size and first timestamp. */
export interface VideoFrameInfo {
  readonly width: number;
  readonly height: number;
  readonly startTime: number;
}

/**
 * The drawtext filter of the label for frames of this size, and the record describing it.
 * Composers append it to their own filter graph, so the label costs nothing beyond the encode
 * they do anyway; `labelVideo` uses it for videos that arrive finished. `dir` receives the
 * label's text file and must outlive the ffmpeg run.
 */
export async function videoLabelFilter(options: Omit<VideoLabelOptions, 'signal'>, frame: VideoFrameInfo, dir: string): Promise<ExplicitResultRecord> {
  const [fontFile, metrics] = await Promise.all([labelFontFile(), inkMetrics(options.wording)]);
  const shortest = Math.min(frame.width, frame.height);
  const fontSize = Math.ceil((options.inkRatio * shortest) / metrics.heightPerEm + 0.5);
  const pad = Math.max(2, Math.round(fontSize * metrics.heightPerEm * 0.3));
  const margin = Math.round(shortest * 0.02) + pad;
  const textFile = join(dir, 'aigc-label.txt');
  await writeFile(textFile, options.wording, 'utf8');
  const x = options.corner.endsWith('left') ? `${margin}` : `w-text_w-${margin}`;
  const y = options.corner.startsWith('top') ? `${margin}` : `h-text_h-${margin}`;
  const until = frame.startTime + options.seconds;
  const drawtext = [
    `fontfile=${filterValue(fontFile)}`,
    `textfile=${filterValue(textFile)}`,
    `fontsize=${fontSize}`,
    'fontcolor=white',
    'box=1',
    'boxcolor=black@0.62',
    `boxborderw=${pad}`,
    `x=${x}`,
    `y=${y}`,
    ...(options.persistent ? [] : [`enable=${filterValue(`lt(t,${until.toFixed(3)})`)}`]),
  ].join(':');
  const inkHeight = metrics.heightPerEm * fontSize;
  return {
    filter: `drawtext=${drawtext}`,
    record: {
      type: 'aigc-explicit',
      placement: `video-${options.corner}${options.persistent ? '-persistent' : '-start'}`,
      value: {
        wording: options.wording,
        fromSeconds: 0,
        ...(options.persistent ? { persistent: true } : { untilSeconds: options.seconds }),
        fontSize,
        textHeightRatio: Number((inkHeight / shortest).toFixed(4)),
      },
    },
  };
}

export interface ExplicitResultRecord {
  readonly filter: string;
  readonly record: ExplicitResult['record'];
}

/**
 * Article 4(4): a conspicuous prompt on the start frames. drawtext, white on a semi-opaque
 * plate, in a corner, ink ≥ inkRatio of the shortest side (not the height: that under-sizes
 * portrait video), shown from the first frame for `seconds` (or throughout). Video is
 * re-encoded to H.264 (the frames change); every other stream (audio tracks, subtitles, cover
 * art) is kept, converted only where MP4 demands it (text subtitles to mov_text); +faststart. ffmpeg
 * writes to a temp file, so a failure leaves nothing behind.
 */
export async function labelVideo(bytes: Uint8Array, options: VideoLabelOptions): Promise<ExplicitResult> {
  const dir = await makeWorkDir('explicit-video');
  try {
    const input = join(dir, 'input.mp4');
    await writeFile(input, bytes);
    const streams = await probeStreams(input);
    const media = await probeMedia(input);
    const picture = mainPictureIndex(media.streams);
    const video = picture === undefined ? undefined : media.streams[picture];
    if (video?.width === undefined || video.height === undefined || video.width === 0) {
      throw new ShenbiError('MEDIA_INVALID', 'the file holds no video stream to label');
    }
    const { filter, record } = await videoLabelFilter(options, { width: video.width, height: video.height, startTime: streams.startTime }, dir);
    const output = join(dir, 'labeled.mp4');
    // Every stream the label does not change (other audio tracks, subtitles, cover art) is kept.
    const kept = keepStreamsInMp4(media.streams, { index: picture!, filter, encoder: ['libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'] });
    await runFfmpeg(
      ['-i', input, ...kept.args, '-map_metadata', '0', '-movflags', '+faststart', '-f', 'mp4'],
      { output, durationSeconds: streams.duration, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return { bytes: await readFile(output), record };
  } finally {
    await removeWorkDir(dir);
  }
}
