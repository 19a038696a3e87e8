import { execFile } from 'node:child_process';
import { ShenbiError } from '../../core/errors.ts';

/** The first audio or video stream of a file, with what re-encoding it the same way needs. */
export interface StreamInfo {
  readonly codec: string;
  readonly sampleRate?: number;
  readonly channels?: number;
  readonly channelLayout?: string;
  readonly sampleFormat?: string;
  readonly bitRate?: number;
  readonly width?: number;
  readonly height?: number;
  readonly pixelFormat?: string;
}

export interface FileStreams {
  readonly formatName: string;
  readonly duration: number;
  /** The first timestamp (seconds); some files start after 0. */
  readonly startTime: number;
  readonly audio?: StreamInfo;
  readonly video?: StreamInfo;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  sample_fmt?: string;
  bit_rate?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
}

/** ffprobe, reduced to what the labelers need. MEDIA_INVALID when ffprobe cannot read it. */
export function probeStreams(path: string): Promise<FileStreams> {
  const binary = process.env.SHENBI_FFPROBE ?? 'ffprobe';
  return new Promise((resolve, reject) => {
    execFile(binary, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path], { maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new ShenbiError('ENGINE_UNAVAILABLE', 'ffprobe not found', { hint: 'apt-get install ffmpeg' }));
        return reject(new ShenbiError('MEDIA_INVALID', `cannot read the media to label it: ${stderr.trim().split('\n').at(-1) ?? ''}`));
      }
      const json = JSON.parse(stdout) as { format?: { format_name?: string; duration?: string; bit_rate?: string; start_time?: string }; streams?: RawStream[] };
      const pick = (type: string): StreamInfo | undefined => {
        const s = json.streams?.find((x) => x.codec_type === type);
        if (s === undefined) return undefined;
        return {
          codec: s.codec_name ?? '',
          ...(s.sample_rate ? { sampleRate: Number(s.sample_rate) } : {}),
          ...(s.channels ? { channels: s.channels } : {}),
          ...(s.channel_layout ? { channelLayout: s.channel_layout } : {}),
          ...(s.sample_fmt ? { sampleFormat: s.sample_fmt } : {}),
          ...(s.bit_rate ? { bitRate: Number(s.bit_rate) } : json.format?.bit_rate && type === 'audio' ? { bitRate: Number(json.format.bit_rate) } : {}),
          ...(s.width ? { width: s.width, height: s.height ?? 0 } : {}),
          ...(s.pix_fmt ? { pixelFormat: s.pix_fmt } : {}),
        };
      };
      const audio = pick('audio');
      const video = pick('video');
      resolve({ formatName: json.format?.format_name ?? '', duration: Number(json.format?.duration ?? 0), startTime: Number(json.format?.start_time ?? 0) || 0, ...(audio ? { audio } : {}), ...(video ? { video } : {}) });
    });
  });
}
