import { execFile } from 'node:child_process';
import sharp from 'sharp';
import { ShenbiError } from '../../core/errors.ts';

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
  const image = await sharp(path)
    .metadata()
    .then((m) => (m.format !== undefined ? IMAGE_FORMATS[m.format] : undefined))
    .catch(() => undefined);
  if (image !== undefined) return { kind: 'image', mediaType: image };
  const probed = await ffprobe(path, signal);
  const format = probed.format?.format_name ?? '';
  const score = probed.format?.probe_score ?? 0;
  const types = new Set((probed.streams ?? []).map((s) => s.codec_type));
  const hasVideo = (probed.streams ?? []).some((s) => s.codec_type === 'video' && s.codec_name !== 'ansi' && s.disposition?.attached_pic !== 1);
  if (NOT_MEDIA_FORMATS.test(format) || score < MIN_PROBE_SCORE || (!hasVideo && !types.has('audio'))) {
    throw notMedia(`not audio, video or a picture (${format === '' ? 'unknown format' : `probed as ${format}, score ${score}`})`);
  }
  const container = CONTAINERS.find((c) => c.match.test(format));
  const kind: UploadKind = hasVideo ? 'video' : 'audio';
  return { kind, mediaType: container === undefined ? `${kind}/${format.split(',')[0]}` : hasVideo ? container.video : container.audio };
}

function notMedia(message: string): ShenbiError {
  return new ShenbiError('MEDIA_INVALID', `The upload is ${message}.`, { hint: 'Upload audio, video or a picture (PNG, JPEG, WebP, GIF, AVIF).' });
}

interface Probe {
  format?: { format_name?: string; probe_score?: number };
  streams?: { codec_type?: string; codec_name?: string; disposition?: { attached_pic?: number } }[];
}

function ffprobe(path: string, signal?: AbortSignal): Promise<Probe> {
  const binary = process.env.SHENBI_FFPROBE ?? 'ffprobe';
  const args = ['-v', 'error', '-show_entries', 'format=format_name,probe_score:stream=codec_type,codec_name:stream_disposition=attached_pic', '-of', 'json', path];
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 4 << 20, timeout: 60_000, ...(signal ? { signal } : {}) }, (error, stdout) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') return reject(new ShenbiError('ENGINE_UNAVAILABLE', 'ffprobe not found', { hint: 'apt-get install ffmpeg' }));
      if (error) return reject(notMedia('not readable as audio or video'));
      try {
        resolve(JSON.parse(stdout) as Probe);
      } catch {
        reject(notMedia('not readable as audio or video'));
      }
    });
  });
}
