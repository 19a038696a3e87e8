import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { devNull } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';

export interface FfmpegRunOptions {
  /** Where the result goes; ffmpeg writes a temp file beside it, renamed only on success. os.devNull: analysis passes with no output. */
  output: string;
  /** Expected output duration, for progress fractions. */
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  ffmpegPath?: string;
}

const HINT = 'Install ffmpeg: apt-get install ffmpeg (or set SHENBI_FFMPEG to its path).';

/**
 * Runs ffmpeg with `args` (everything but the output path), reporting progress from its
 * `-progress` stream. Cancelling kills ffmpeg; a failure or cancellation leaves no file at
 * `output` (nor a partial temp file).
 */
export async function runFfmpeg(args: readonly string[], options: FfmpegRunOptions): Promise<void> {
  options.signal?.throwIfAborted();
  const discard = options.output === devNull;
  const extension = basename(options.output).includes('.') ? basename(options.output).slice(basename(options.output).lastIndexOf('.')) : '';
  const temp = join(dirname(options.output), `.${basename(options.output)}.${process.pid}.${Date.now()}.partial${extension}`);
  const binary = options.ffmpegPath ?? process.env.SHENBI_FFMPEG ?? 'ffmpeg';
  const child = spawn(binary, ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', ...args, discard ? devNull : temp], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  child.stdout.setEncoding('utf8');
  let buffered = '';
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^out_time_(?:us|ms)=(\d+)/.exec(line);
      if (match && options.durationSeconds && options.onProgress) options.onProgress(Math.min(1, Number(match[1]) / 1e6 / options.durationSeconds));
    }
  });
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new ShenbiError('ENGINE_UNAVAILABLE', `ffmpeg not found (${binary})`, { hint: HINT, cause: error }) : error),
      );
      child.once('close', (exitCode) => resolve(exitCode));
    });
    options.signal?.throwIfAborted();
    if (code !== 0) {
      throw new ShenbiError('ENGINE_FAILED', `ffmpeg failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`, { details: { stderr: stderr.slice(-2000) } });
    }
    if (!discard) await rename(temp, options.output);
  } catch (error) {
    if (!discard) await rm(temp, { force: true });
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

export interface ProbeResult {
  duration: number;
  /** ffprobe's demuxer names (`mov,mp4,m4a,3gp,3g2,mj2`), and how sure it is of them (0–100). */
  formatName: string;
  probeScore: number;
  streams: { type: 'video' | 'audio' | 'subtitle' | 'data'; codec: string; width?: number; height?: number; fps?: number; sampleRate?: number; channels?: number; attachedPic?: boolean }[];
}

/**
 * ffprobe: what a media file holds. MEDIA_INVALID when ffprobe cannot read it (or, with
 * `timeoutMs`, takes longer than that).
 */
export async function probeMedia(path: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ProbeResult> {
  const binary = process.env.SHENBI_FFPROBE ?? 'ffprobe';
  const child = spawn(binary, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new ShenbiError('ENGINE_UNAVAILABLE', 'ffprobe not found', { hint: HINT }) : error));
    child.once('close', resolve);
  });
  if (code !== 0) throw new ShenbiError('MEDIA_INVALID', `cannot read ${path} as media: ${err.trim().split('\n').at(-1) ?? ''}`);
  const json = JSON.parse(out) as { format?: { duration?: string; format_name?: string; probe_score?: number }; streams?: (Record<string, string | number | undefined> & { disposition?: { attached_pic?: number } })[] };
  const rate = (r: unknown) => {
    const [n, d] = String(r ?? '0/1').split('/').map(Number);
    return d ? n! / d : 0;
  };
  return {
    duration: Number(json.format?.duration ?? 0),
    formatName: json.format?.format_name ?? '',
    probeScore: Number(json.format?.probe_score ?? 0),
    streams: (json.streams ?? []).map((s) => ({
      type: (s.codec_type as ProbeResult['streams'][number]['type']) ?? 'data',
      codec: String(s.codec_name ?? ''),
      ...(s.width ? { width: Number(s.width), height: Number(s.height) } : {}),
      ...(s.codec_type === 'video' ? { fps: rate(s.avg_frame_rate) } : {}),
      ...(s.sample_rate ? { sampleRate: Number(s.sample_rate), channels: Number(s.channels) } : {}),
      ...(s.disposition?.attached_pic === 1 ? { attachedPic: true } : {}),
    })),
  };
}
