import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import type { StepContext } from '../../core/step.ts';

/**
 * A media input given as an artifact id (art_…) or a file path. Files are read as they are,
 * never copied into the store as if they were generated: only outputs are artifacts.
 */
export async function readMediaInput(ctx: StepContext, ref: string): Promise<{ bytes: Buffer; parents: string[]; name: string }> {
  if (/^art_[0-9a-z]+$/.test(ref)) {
    const { artifact, bytes } = await ctx.readArtifact(ref);
    return { bytes, parents: [artifact.id], name: artifact.name ?? artifact.id };
  }
  const path = resolve(ref);
  try {
    return { bytes: await readFile(path), parents: [], name: path };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ShenbiError(code === 'ENOENT' ? 'MEDIA_INVALID' : 'STORAGE_ERROR', `cannot read ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
  }
}
