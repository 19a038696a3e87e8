import type { ProbeResult } from './run-ffmpeg.ts';

/** Codecs an MP4 holds as they are; anything else is re-encoded (audio) or, if MP4 cannot hold it at all, left out. */
const MP4_AUDIO = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus', 'flac']);
const MP4_VIDEO = new Set(['h264', 'hevc', 'mpeg4', 'av1', 'vp9']);
const MP4_COVER = new Set(['mjpeg', 'png']);
/** Text subtitles become mov_text, the one text subtitle codec MP4 players read. */
const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);

export interface KeptStreams {
  /** `-map`, `-c:N` (and, for the picture, the filter and encoder options) for ffmpeg, in output order. */
  readonly args: string[];
  /** Streams an MP4 cannot carry (attachments, data, bitmap subtitles other than DVD), as `#index codec`. */
  readonly dropped: string[];
}

export interface PictureEncode {
  /** Input stream index of the picture that is re-encoded (the first video that is not cover art). */
  readonly index: number;
  /** Filter graph drawn on it, if any. */
  readonly filter?: string;
  /** Encoder options without stream specifiers, e.g. ['libx264', '-preset', 'veryfast', '-crf', '18']: the first is the codec. */
  readonly encoder: readonly string[];
}

/** Input indexes of the text subtitle streams (those an MP4 can carry as mov_text). */
export function textSubtitleIndexes(streams: ProbeResult['streams']): number[] {
  return streams.flatMap((s, index) => (s.type === 'subtitle' && TEXT_SUBTITLES.has(s.codec) ? [index] : []));
}

/** The first video stream that is a picture, not cover art; undefined when there is none. */
export function mainPictureIndex(streams: ProbeResult['streams']): number | undefined {
  const index = streams.findIndex((s) => s.type === 'video' && s.attachedPic !== true);
  return index < 0 ? undefined : index;
}

/**
 * ffmpeg arguments that re-encode one picture stream of input `input` into an MP4 and keep
 * every other stream of it — extra audio tracks, subtitles, cover art — copied (or converted
 * where MP4 demands it: text subtitles to mov_text, audio MP4 cannot hold to AAC). Per-stream
 * options use output stream indices, so a filter or codec never touches a copied stream.
 */
export function keepStreamsInMp4(streams: ProbeResult['streams'], picture: PictureEncode, input = 0): KeptStreams {
  const args: string[] = [];
  const dropped: string[] = [];
  let out = 0;
  streams.forEach((stream, index) => {
    const keep = (codecArgs: readonly string[]): void => {
      args.push('-map', `${input}:${index}`, `-c:${out}`, ...codecArgs);
      out += 1;
    };
    const type: string = stream.type;
    if (index === picture.index) {
      const [codec = 'libx264', ...options] = picture.encoder;
      args.push('-map', `${input}:${index}`, `-c:${out}`, codec);
      if (picture.filter !== undefined) args.push(`-filter:${out}`, picture.filter);
      for (let i = 0; i + 1 < options.length; i += 2) args.push(`${options[i]}:${out}`, options[i + 1]!);
      out += 1;
    } else if (type === 'video') {
      if (stream.attachedPic === true) {
        if (MP4_COVER.has(stream.codec)) keep(['copy']);
        else dropped.push(`#${index} ${stream.codec}`);
      } else keep(MP4_VIDEO.has(stream.codec) ? ['copy'] : ['libx264', `-pix_fmt:${out}`, 'yuv420p']);
    } else if (type === 'audio') {
      keep(MP4_AUDIO.has(stream.codec) ? ['copy'] : ['aac', `-b:${out}`, '192k']);
    } else if (type === 'subtitle') {
      if (TEXT_SUBTITLES.has(stream.codec)) keep(['mov_text']);
      else if (stream.codec === 'dvd_subtitle') keep(['copy']);
      else dropped.push(`#${index} ${stream.codec}`);
    } else {
      dropped.push(`#${index} ${stream.codec || type}`);
    }
  });
  return { args, dropped };
}
