import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { mediaInvalid } from './bytes.ts';
import { makeWorkDir, removeWorkDir } from '../../fs/work-dir.ts';

/**
 * Stream-copy remux through Debian's ffmpeg (a separate program) for containers whose
 * metadata cannot be edited in place cheaply (MP4 moov, Ogg pages). Input and output live in
 * a private temp folder that is always removed; no stream is re-encoded.
 */
export async function remuxWithMetadata(bytes: Uint8Array, format: string, extension: string, args: readonly string[]): Promise<Uint8Array> {
  const dir = await makeWorkDir('label');
  try {
    const input = join(dir, `in.${extension}`);
    const output = join(dir, `out.${extension}`);
    await writeFile(input, bytes);
    const binary = process.env.SHENBI_FFMPEG ?? 'ffmpeg';
    const child = spawn(binary, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', input, '-map', '0', '-c', 'copy', ...args, '-y', output], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new ShenbiError('ENGINE_UNAVAILABLE', `ffmpeg not found (${binary}); it embeds labels in ${format} files`, { hint: 'Install ffmpeg: apt-get install ffmpeg (or set SHENBI_FFMPEG to its path).', cause: error })
            : error,
        ),
      );
      child.once('close', resolve);
    });
    if (code !== 0) throw mediaInvalid(format, `ffmpeg could not remux it (${stderr.trim().split('\n').at(-1) ?? `exit ${code}`})`);
    return new Uint8Array(await readFile(output));
  } finally {
    await removeWorkDir(dir);
  }
}
