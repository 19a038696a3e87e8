import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError, isShenbiError } from '../core/errors.ts';
import type { CatalogFileEntry } from './catalog.ts';
import { downloadResumable } from './download.ts';
import { hashFileInto } from './hash.ts';
import { FileShareMeter, type ProgressMeter } from './progress.ts';

export interface DownloadModelFilesOptions {
  modelName: string;
  /** Download URLs already mirrored. */
  files: readonly CatalogFileEntry[];
  /** `.partial/<name>.d/`: each file downloads to `<file>.part` beside its `<file>.json` sidecar. */
  partialDir: string;
  meter: ProgressMeter;
  signal?: AbortSignal;
  knobs: { maxAttempts?: number; retryDelayMs?: number; idleTimeoutMs?: number };
}

/** A downloaded, verified file waiting in the partial folder to be installed. */
export interface VerifiedFile {
  file: string;
  partPath: string;
  size: number;
  /** Computed from the bytes (always), so later integrity checks need no publisher hash. */
  sha256: string;
  /** The publisher's md5 it was verified against, when the catalog gave md5 instead of sha256. */
  md5?: string;
}

/**
 * Downloads every file of a multi-file model in order, each resumable, counting all of them
 * on one progress meter, and verifies each (size, then sha256 or the publisher's md5). A file
 * that fails verification is deleted; files already verified stay in the partial folder for
 * the next pull, and nothing is installed (the caller installs only when all succeed).
 */
export async function downloadModelFiles(options: DownloadModelFilesOptions): Promise<VerifiedFile[]> {
  const { modelName, files, partialDir, meter, signal } = options;
  const grandTotal = files.reduce((sum, f) => sum + f.size, 0);
  const verified: VerifiedFile[] = [];
  let base = 0;
  for (const [index, file] of files.entries()) {
    const partPath = join(partialDir, `${file.name}.part`);
    const metaPath = join(partialDir, `${file.name}.json`);
    const discard = async () => {
      await rm(partPath, { force: true });
      await rm(metaPath, { force: true });
    };
    let result: Awaited<ReturnType<typeof downloadResumable>>;
    try {
      result = await downloadResumable({
        url: file.url,
        dataPath: partPath,
        metaPath,
        expectedSize: file.size,
        ...(file.sha256 === undefined ? {} : { expectedSha256: file.sha256 }),
        ...(signal === undefined ? {} : { signal }),
        meter: new FileShareMeter(meter, base, grandTotal, index === 0),
        ...options.knobs,
      });
    } catch (error) {
      if (isShenbiError(error) && error.code === 'MODEL_CHECKSUM_MISMATCH') await discard();
      throw error;
    }
    let md5: string | undefined;
    let mismatch: { algorithm: 'sha256' | 'md5'; expected: string; actual: string } | undefined;
    if (file.sha256 !== undefined) {
      if (result.sha256 !== file.sha256) mismatch = { algorithm: 'sha256', expected: file.sha256, actual: result.sha256 };
    } else if (file.md5 !== undefined) {
      // One more read of the file: the stream hashes sha256 only, and md5 is the publisher's word.
      const hash = createHash('md5');
      await hashFileInto(hash, partPath, signal);
      md5 = hash.digest('hex');
      if (md5 !== file.md5) mismatch = { algorithm: 'md5', expected: file.md5, actual: md5 };
    }
    if (mismatch !== undefined) {
      await discard();
      throw new ShenbiError(
        'MODEL_CHECKSUM_MISMATCH',
        `The download of ${file.name} (part of ${modelName}) has ${mismatch.algorithm} ${mismatch.actual}, but ${mismatch.expected} was expected; it was deleted and nothing was installed.`,
        {
          details: { name: modelName, file: file.name, url: file.url, algorithm: mismatch.algorithm, expected: mismatch.expected, actual: mismatch.actual, size: result.size },
          hint: 'The file on the server (or mirror) differs from the catalog. Try again later or another endpoint.',
        },
      );
    }
    verified.push({ file: file.name, partPath, size: result.size, sha256: result.sha256, ...(md5 === undefined ? {} : { md5 }) });
    base += file.size;
  }
  meter.finish();
  return verified;
}
