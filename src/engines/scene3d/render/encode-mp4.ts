import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShenbiError } from '../../../core/errors.ts';

/**
 * Encodes PNG frames, pulled one at a time from `frames`, as an H.264 MP4 (yuv420p, faststart:
 * plays everywhere, streams from the first byte). Frames are piped to ffmpeg's stdin with
 * backpressure, so only one frame is in memory at a time. Cancelling kills ffmpeg.
 */
export async function encodePngFramesToMp4(frames: AsyncIterable<Uint8Array>, options: { fps: number; signal?: AbortSignal }): Promise<Uint8Array> {
  options.signal?.throwIfAborted();
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-turntable-'));
  const output = join(dir, 'turntable.mp4');
  const binary = process.env.SHENBI_FFMPEG ?? 'ffmpeg';
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'image2pipe', '-c:v', 'png', '-framerate', String(options.fps), '-i', 'pipe:0'];
  // bitexact and no metadata: the same frames give the same bytes, whichever ffmpeg build wrote them.
  args.push('-c:v', 'libx264', '-preset', 'medium', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(options.fps), '-movflags', '+faststart', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-y', output);
  const child = spawn(binary, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new ShenbiError('ENGINE_UNAVAILABLE', `ffmpeg not found (${binary})`, { hint: 'Install ffmpeg: apt-get install ffmpeg (or set SHENBI_FFMPEG to its path).', cause: error }) : error),
    );
    child.once('close', resolve);
  });
  // Awaited below; this only keeps a spawn error from going unhandled when a frame fails first.
  closed.catch(() => undefined);
  // stdin errors (EPIPE when ffmpeg dies early) surface through the exit code instead.
  child.stdin.on('error', () => undefined);
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const writing = (async () => {
      for await (const frame of frames) {
        options.signal?.throwIfAborted();
        if (child.exitCode !== null || child.signalCode !== null) break;
        if (!child.stdin.write(frame)) await new Promise<void>((resolve) => child.stdin.once('drain', resolve).once('close', resolve));
      }
      child.stdin.end();
    })();
    // If writing fails (a frame could not be drawn), stop ffmpeg and report that failure.
    await writing.catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    const code = await closed;
    options.signal?.throwIfAborted();
    if (code !== 0) throw new ShenbiError('ENGINE_FAILED', `ffmpeg could not encode the turntable (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`);
    return new Uint8Array(await readFile(output));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
