import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { JobCaller } from '../../core/job-caller.ts';
import { ShenbiError } from '../../core/errors.ts';

/**
 * PATH_NOT_ALLOWED for a job whose caller may not read local files (an API key): the same
 * answer whatever the string names, built without touching the file system, so nothing about
 * the server's files (existence, type, where a link points) can be learned from it.
 */
export function localFilesRefused(what: string): ShenbiError {
  return new ShenbiError('PATH_NOT_ALLOWED', `${what}: local file paths are not accepted from API keys; give an artifact id (art_…), an upload id (upl_…) or a public http(s) URL.`, {
    hint: 'Upload the file first (POST /api/uploads) and pass its upl_… id.',
    details: { input: what },
  });
}

function outsideRoots(ref: string, roots: readonly string[]): ShenbiError {
  return new ShenbiError('PATH_NOT_ALLOWED', `${ref} is outside the folders Shenbi may read media from.`, {
    hint: 'Move the file into an allowed folder, or add its folder to mediaRoots in config.json (SHENBI_MEDIA_ROOTS).',
    details: { path: ref, roots },
  });
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path of the deepest ancestor of `path` that exists. */
async function nearestExistingReal(path: string): Promise<string> {
  for (let current = dirname(path); ; current = dirname(current)) {
    try {
      return await realpath(current);
    } catch {
      if (dirname(current) === current) return current;
    }
  }
}

/**
 * A user-named local file or folder, as a canonical path inside one of `roots`. Refused at once
 * (nothing touched) when the caller may not read local files. Otherwise the lexical path is
 * checked first, so a path outside the roots is refused the same way whether it exists or not;
 * then symlinks are resolved and the real path must still lie inside a (real) root. Only a
 * path inside the roots may be reported missing.
 */
export async function allowedPath(ref: string, options: { roots: readonly string[]; caller: JobCaller; what: string }): Promise<string> {
  if (!options.caller.localFiles) throw localFilesRefused(options.what);
  const lexical = resolve(ref);
  const realRoots = await Promise.all(options.roots.map((root) => realpath(root).catch(() => resolve(root))));
  const lexicalRoots = options.roots.map((root) => resolve(root));
  if (![...lexicalRoots, ...realRoots].some((root) => inside(root, lexical))) throw outsideRoots(ref, options.roots);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    // A missing file under a link that leads out of the roots is "outside", not "missing".
    const ancestor = await nearestExistingReal(lexical);
    if (!realRoots.some((root) => inside(root, ancestor))) throw outsideRoots(ref, options.roots);
    const errno = (error as NodeJS.ErrnoException).code;
    throw new ShenbiError('MEDIA_INVALID', errno === 'ENOENT' || errno === 'ENOTDIR' ? `${ref} does not exist.` : `Cannot read ${ref} (${errno ?? 'error'}).`, { cause: error, details: { path: ref } });
  }
  if (!realRoots.some((root) => inside(root, real))) throw outsideRoots(ref, options.roots);
  return real;
}
