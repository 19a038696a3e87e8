import { loadSharp } from '../../media/load-sharp.ts';
import { isShenbiError, ShenbiError } from '../../core/errors.ts';
import { probeMedia, type ProbeResult } from '../../engines/video/run-ffmpeg.ts';

export type UploadKind = 'image' | 'audio' | 'video';

export interface SniffedMedia {
  kind: UploadKind;
  /** From the content itself, never from the client's Content-Type. */
  mediaType: string;
}

/** Raster formats sharp decodes that steps can use. SVG is text that may carry scripts: refused. */
const IMAGE_FORMATS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif', heif: 'image/heif', tiff: 'image/tiff' };

/** ffprobe demuxer names → media types (video type when a video stream is present, else audio). */
const CONTAINERS: { match: RegExp; video: string; audio: string }[] = [
  { match: /(^|,)mp4(,|$)|(^|,)mov(,|$)/, video: 'video/mp4', audio: 'audio/mp4' },
  { match: /webm|matroska/, video: 'video/webm', audio: 'audio/webm' },
  { match: /^ogg$/, video: 'video/ogg', audio: 'audio/ogg' },
  { match: /^wav$/, video: 'audio/wav', audio: 'audio/wav' },
  { match: /^mp3$/, video: 'audio/mpeg', audio: 'audio/mpeg' },
  { match: /^flac$/, video: 'audio/flac', audio: 'audio/flac' },
  { match: /^aac$/, video: 'audio/aac', audio: 'audio/aac' },
  { match: /^avi$/, video: 'video/x-msvideo', audio: 'video/x-msvideo' },
  { match: /^mpegts$/, video: 'video/mp2t', audio: 'video/mp2t' },
  { match: /^flv$/, video: 'video/x-flv', audio: 'video/x-flv' },
];

/** ffprobe's demuxers for text and still images: a text file probes as an "ansi" video. */
const NOT_MEDIA_FORMATS = /^(tty|txt|ansi|srt|webvtt|ass|subviewer|microdvd|image2|.*_pipe)$/;
/** Below this ffprobe itself warns that the format may be misdetected (AVPROBE_SCORE_MAX / 4). */
const MIN_PROBE_SCORE = 26;

/**
 * What a file really is: an image (sharp decodes it) or audio/video (ffprobe finds a stream
 * with a confident format guess). Anything else is MEDIA_INVALID.
 */
export async function sniffMedia(path: string, signal?: AbortSignal): Promise<SniffedMedia> {
  const sharp = await loadSharp();
  const image = await sharp(path)
    .metadata()
    .then((m) => (m.format !== undefined ? IMAGE_FORMATS[m.format] : undefined))
    .catch(() => undefined);
  if (image !== undefined) return { kind: 'image', mediaType: image };
  let probed: ProbeResult;
  try {
    probed = await probeMedia(path, { timeoutMs: 60_000, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (isShenbiError(error) && error.code === 'MEDIA_INVALID') throw notMedia('not readable as audio or video');
    throw error;
  }
  const format = probed.formatName;
  const score = probed.probeScore;
  const hasVideo = probed.streams.some((s) => s.type === 'video' && s.codec !== 'ansi' && s.attachedPic !== true);
  const hasAudio = probed.streams.some((s) => s.type === 'audio');
  if (NOT_MEDIA_FORMATS.test(format) || score < MIN_PROBE_SCORE || (!hasVideo && !hasAudio)) {
    throw notMedia(`not audio, video or a picture (${format === '' ? 'unknown format' : `probed as ${format}, score ${score}`})`);
  }
  const container = CONTAINERS.find((c) => c.match.test(format));
  const kind: UploadKind = hasVideo ? 'video' : 'audio';
  return { kind, mediaType: container === undefined ? `${kind}/${format.split(',')[0]}` : hasVideo ? container.video : container.audio };
}

function notMedia(message: string): ShenbiError {
  return new ShenbiError('MEDIA_INVALID', `The upload is ${message}.`, { hint: 'Upload audio, video or a picture (PNG, JPEG, WebP, GIF, AVIF).' });
}
