import { spawn } from 'node:child_process';
import { ShenbiError } from '../../core/errors.ts';

/**
 * Decodes frames of a video at the given times into raw RGB (one ffmpeg run per frame, with a
 * fast seek), scaled to `width` (height follows the aspect). For analysis, not for output.
 */
export async function grabFrame(path: string, time: number, width: number, signal?: AbortSignal): Promise<{ data: Buffer; width: number; height: number }> {
  const child = spawn('ffmpeg', ['-v', 'error', '-ss', time.toFixed(3), '-i', path, '-frames:v', '1', '-vf', `scale=${width}:-2`, '-f', 'image2pipe', '-vcodec', 'ppm', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new ShenbiError('ENGINE_UNAVAILABLE', 'ffmpeg not found', { hint: 'apt-get install ffmpeg' }) : e));
      child.once('close', resolve);
    });
    signal?.throwIfAborted();
    const ppm = Buffer.concat(chunks);
    if (code !== 0 || ppm.length === 0) throw new ShenbiError('MEDIA_INVALID', `cannot decode a frame of ${path} at ${time.toFixed(2)} s: ${err.trim().split('\n').at(-1) ?? 'no frame'}`);
    // P6 header: "P6\n<w> <h>\n255\n" (comments are not written by ffmpeg).
    const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'));
    if (!header) throw new ShenbiError('MEDIA_INVALID', 'unexpected frame format from ffmpeg');
    const w = Number(header[1]);
    const h = Number(header[2]);
    return { data: ppm.subarray(header[0].length, header[0].length + w * h * 3), width: w, height: h };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
