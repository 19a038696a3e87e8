import { spawn } from 'node:child_process';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ShenbiError } from '../../../core/errors.ts';
import type { FaceBox } from '../types.ts';
import { childrenCpuMs } from './cpu-time.ts';

export interface PatchEncoderOptions {
  /** The still portrait as raw RGB (width × height × 3 bytes): every frame's background. */
  readonly stillPath: string;
  readonly width: number;
  readonly height: number;
  /** Where the animated patch goes on the still (even corner and size). */
  readonly patch: FaceBox;
  readonly fps: number;
  readonly frameCount: number;
  readonly audioPath?: string;
  /** An ffmpeg filter drawn over the video (the explicit AI label). */
  readonly labelFilter?: string;
  /** An ASS subtitles file burned in under the label. */
  readonly subtitlesPath?: string;
  /** The MP4 to write; ffmpeg writes a temp file beside it, renamed only on success. */
  readonly output: string;
  /** A folder for the filter script. */
  readonly workDir: string;
  readonly signal?: AbortSignal;
}

export interface PatchEncoder {
  /** Writes RGB frames of the patch to ffmpeg, waiting while its pipe is full. */
  write(frames: Uint8Array): Promise<void>;
  /** Closes the input, waits for ffmpeg, renames the file into place; resolves with ffmpeg's CPU time, ms (its wall time without /proc). */
  finish(): Promise<number>;
  /** Kills ffmpeg and removes the partial file (after a failure elsewhere). */
  discard(): Promise<void>;
}

const HINT = 'Install ffmpeg: apt-get install ffmpeg (or set SHENBI_FFMPEG to its path).';

/** A value inside a filtergraph: ':' '\' and quotes must not end it. */
const filterPath = (path: string) => path.replace(/([\\:'])/g, '\\$1');

/**
 * The video is the still portrait with the patch's frames laid over it: the still enters once
 * (converted to yuv420p once and looped), the patch as raw RGB on stdin, so everything
 * outside the patch is the portrait itself, before the encode. Subtitles, then the label, are
 * drawn in the same filter graph; audio is padded or cut to frames / fps. H.264 yuv420p, AAC,
 * +faststart.
 */
export async function startPatchEncoder(options: PatchEncoderOptions): Promise<PatchEncoder> {
  options.signal?.throwIfAborted();
  const { width, height, patch, fps } = options;
  const duration = options.frameCount / fps;
  const filters = [
    `[0:v]format=yuv420p,loop=loop=-1:size=1:start=0[still]`,
    `[still][1:v]overlay=x=${patch.x}:y=${patch.y}:shortest=1:format=yuv420[v0]`,
  ];
  let last = 'v0';
  if (options.subtitlesPath !== undefined) {
    filters.push(`[${last}]ass=filename=${filterPath(options.subtitlesPath)}[subbed]`);
    last = 'subbed';
  }
  if (options.labelFilter !== undefined) {
    filters.push(`[${last}]${options.labelFilter}[labeled]`);
    last = 'labeled';
  }
  if (options.audioPath !== undefined) filters.push('[2:a]apad[audio]');
  const filterScript = join(options.workDir, 'talking-head-filters.txt');
  await writeFile(filterScript, filters.join(';\n'), 'utf8');
  const temp = join(dirname(options.output), `.${basename(options.output)}.${process.pid}.${Date.now()}.partial.mp4`);
  const raw = (size: string) => ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', size, '-framerate', String(fps)];
  const args = [
    '-hide_banner', '-nostats', '-y', '-loglevel', 'error',
    ...raw(`${width}x${height}`), '-i', options.stillPath,
    ...raw(`${patch.width}x${patch.height}`), '-i', 'pipe:0',
    ...(options.audioPath === undefined ? [] : ['-i', options.audioPath]),
    '-filter_complex_script', filterScript,
    '-map', `[${last}]`,
    ...(options.audioPath === undefined ? [] : ['-map', '[audio]', '-c:a', 'aac', '-b:a', '128k']),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '19', '-pix_fmt', 'yuv420p', '-r', String(fps),
    '-t', duration.toFixed(6), '-movflags', '+faststart', temp,
  ];
  const binary = process.env.SHENBI_FFMPEG ?? 'ffmpeg';
  const cpuBefore = childrenCpuMs();
  const wallBefore = performance.now();
  const child = spawn(binary, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  // ffmpeg closing its input early (it failed) surfaces through its exit code, not as an EPIPE crash.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new ShenbiError('ENGINE_UNAVAILABLE', `ffmpeg not found (${binary})`, { hint: HINT, cause: error }) : error),
    );
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => undefined);
  let done = false;
  const kill = () => {
    if (!done) child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', kill, { once: true });
  const cleanUp = async () => {
    options.signal?.removeEventListener('abort', kill);
    await rm(temp, { force: true });
  };
  const failure = (code: number | null) =>
    new ShenbiError('ENGINE_FAILED', `ffmpeg failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`, { details: { stderr: stderr.slice(-2000) } });
  return {
    async write(frames) {
      if (child.exitCode !== null || child.signalCode !== null) throw failure(child.exitCode);
      if (!child.stdin.write(frames)) {
        await new Promise<void>((resolve) => {
          const settle = () => {
            child.stdin.off('drain', settle);
            child.off('close', settle);
            resolve();
          };
          child.stdin.once('drain', settle);
          child.once('close', settle);
        });
      }
    },
    async finish() {
      child.stdin.end();
      try {
        const code = await exited;
        done = true;
        options.signal?.throwIfAborted();
        if (code !== 0) throw failure(code);
        await rename(temp, options.output);
        options.signal?.removeEventListener('abort', kill);
        const cpuAfter = childrenCpuMs();
        return cpuBefore === undefined || cpuAfter === undefined ? performance.now() - wallBefore : cpuAfter - cpuBefore;
      } catch (error) {
        await cleanUp();
        throw error;
      }
    },
    async discard() {
      kill();
      child.stdin.destroy();
      await exited.catch(() => undefined);
      done = true;
      await cleanUp();
    },
  };
}
