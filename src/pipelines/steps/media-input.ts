import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import type { StepContext } from '../../core/step.ts';
import { uploadNotFound, uploadPath } from './upload-file.ts';
import { fetchPublicMedia } from './url-guard.ts';

/** Where steps may read user media from: a file outside every root is refused. */
export interface MediaPolicy {
  readonly roots: readonly string[];
  /** Where users' uploads (`upl_…`) live (config.uploads.dir); without it upload ids are not accepted. */
  readonly uploadsDir?: string;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Resolves a user-given path (following symlinks) and refuses it unless it lies inside a media root. */
export async function allowedPath(ref: string, policy: MediaPolicy): Promise<string> {
  const path = resolve(ref);
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `cannot read ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
  }
  const roots = await Promise.all(policy.roots.map((r) => realpath(r).catch(() => resolve(r))));
  if (!roots.some((root) => inside(root, real))) {
    throw new ShenbiError('PATH_NOT_ALLOWED', `${path} is outside the folders Shenbi may read media from`, {
      hint: 'Move the file into an allowed folder, or add its folder to mediaRoots in config.json (SHENBI_MEDIA_ROOTS).',
      details: { path, roots: policy.roots },
    });
  }
  return real;
}

/**
 * A media input given as an artifact id (art_…), an upload id (upl_…), a public http(s) URL,
 * or a file path inside the media roots. Files and uploads are the user's own material: read
 * as they are, never copied into the store as if they were generated, never parents in the
 * provenance of what is made from them. Only outputs are artifacts.
 */
export async function readMediaInput(ctx: StepContext, ref: string, policy: MediaPolicy): Promise<{ bytes: Buffer; parents: string[]; name: string }> {
  if (/^art_[0-9a-z]+$/.test(ref)) {
    const { artifact, bytes } = await ctx.readArtifact(ref);
    return { bytes, parents: [artifact.id], name: artifact.name ?? artifact.id };
  }
  if (/^upl_[0-9a-z]+$/.test(ref)) return { bytes: await readUpload(ref, policy), parents: [], name: ref };
  if (/^https?:\/\//i.test(ref)) return { bytes: await fetchPublicMedia(ref, { signal: ctx.signal }), parents: [], name: ref };
  const path = await allowedPath(ref, policy);
  try {
    return { bytes: await readFile(path), parents: [], name: path };
  } catch (error) {
    throw new ShenbiError('STORAGE_ERROR', `cannot read ${path}: ${(error as Error).message}`, { cause: error, details: { path } });
  }
}

async function readUpload(id: string, policy: MediaPolicy): Promise<Buffer> {
  if (policy.uploadsDir === undefined) throw uploadNotFound(id);
  try {
    return await readFile(uploadPath(policy.uploadsDir, id));
  } catch (error) {
    if (error instanceof ShenbiError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw uploadNotFound(id, error);
    throw new ShenbiError('STORAGE_ERROR', `cannot read upload ${id}: ${(error as Error).message}`, { cause: error });
  }
}
