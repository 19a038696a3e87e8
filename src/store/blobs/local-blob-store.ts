import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blobRefFor } from '../../core/artifact.ts';
import { ShenbiError, toShenbiError } from '../../core/errors.ts';
import { fsyncDir } from '../../fs/atomic-file.ts';
import { isProcessAlive } from '../../fs/process-alive.ts';
import type { BlobEntry, BlobInfo, BlobReadOptions, BlobRemoval, BlobStore } from '../types.ts';
import { blobRefDigest } from './blob-ref.ts';

/** Temp files are `<pid>-<random>.tmp`, so a sweep can tell a dead writer's leftovers. */
const TEMP_NAME = /^(\d+)-[0-9a-f]+\.tmp$/;

/**
 * Content-addressed blobs on local disk: `<root>/sha256/<aa>/<bb>/<hex>`. A blob appears
 * under its final name only by rename from `<root>/tmp/` (same filesystem, so atomic),
 * after its bytes were fsynced; the directory is fsynced after the rename so the name
 * survives a power cut too. No reader ever sees half a file.
 */
export class LocalBlobStore implements BlobStore {
  readonly root: string;
  readonly #blobsRoot: string;
  readonly #tmpDir: string;
  /** Temp files this process is writing right now; sweepTemp leaves them alone. */
  readonly #inFlight = new Set<string>();

  private constructor(root: string) {
    this.root = root;
    this.#blobsRoot = join(root, 'sha256');
    this.#tmpDir = join(root, 'tmp');
  }

  static async open(blobsDir: string): Promise<LocalBlobStore> {
    const store = new LocalBlobStore(resolve(blobsDir));
    try {
      await mkdir(store.#blobsRoot, { recursive: true });
      await mkdir(store.#tmpDir, { recursive: true });
    } catch (error) {
      throw storageError(`Cannot create the blob directory ${store.root}`, error);
    }
    return store;
  }

  /** Where temp files go; exposed for tests and diagnostics. */
  get tempDir(): string {
    return this.#tmpDir;
  }

  async put(bytes: Uint8Array): Promise<BlobInfo> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const info: BlobInfo = { ref: blobRefFor(sha256), sha256, size: bytes.byteLength };
    const finalPath = this.#pathOfDigest(sha256);
    // Same bytes already stored: only refresh its mtime, so a sweep's grace period counts
    // from this put and not from the first one (a size mismatch means damage: rewrite).
    const existing = await stat(finalPath).catch(() => undefined);
    if (existing?.isFile() && existing.size === bytes.byteLength) {
      const now = new Date();
      const touched = await utimes(finalPath, now, now).then(() => true, () => false);
      if (touched) return info;
      // Gone between stat and utimes (swept): write it again below.
    }

    const tempName = `${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
    const tempPath = join(this.#tmpDir, tempName);
    this.#inFlight.add(tempName);
    try {
      const file = await open(tempPath, 'wx', 0o644);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      const dir = dirname(finalPath);
      const firstCreated = await mkdir(dir, { recursive: true });
      await rename(tempPath, finalPath);
      await fsyncDir(dir);
      // New fan-out directories must themselves be durable entries of their parents.
      if (firstCreated !== undefined) {
        for (let d = dirname(dir); d.length >= this.#blobsRoot.length; d = dirname(d)) await fsyncDir(d);
      }
      return info;
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => {});
      throw storageError(`Cannot store a blob of ${bytes.byteLength} bytes in ${this.root}`, error);
    } finally {
      this.#inFlight.delete(tempName);
    }
  }

  async read(ref: string, options: BlobReadOptions = {}): Promise<Buffer> {
    const digest = blobRefDigest(ref);
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#pathOfDigest(digest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ShenbiError('BLOB_NOT_FOUND', `Blob ${ref} is not in the blob store ${this.root}.`, { details: { ref } });
      }
      throw storageError(`Cannot read blob ${ref}`, error);
    }
    if (options.verify ?? true) {
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== digest) {
        throw new ShenbiError('BLOB_CORRUPT', `Blob ${ref} is corrupt: its content now hashes to sha256:${actual}.`, {
          details: { ref, actual: `sha256:${actual}`, path: this.#pathOfDigest(digest) },
          hint: 'The file was changed or damaged on disk; regenerate or re-import the artifact.',
        });
      }
    }
    return bytes;
  }

  async has(ref: string): Promise<boolean> {
    const found = await stat(this.#pathOf(ref)).catch(() => undefined);
    return found?.isFile() ?? false;
  }

  /** The blob's file here (BLOB_NOT_FOUND if absent); engines that take paths read it in place. */
  async localPath(ref: string): Promise<string> {
    const path = this.#pathOf(ref);
    if (!(await this.has(ref))) throw new ShenbiError('BLOB_NOT_FOUND', `Blob ${ref} is not in the blob store ${this.root}.`, { details: { ref } });
    return path;
  }

  /**
   * Stores a stream (never held in memory) that must hash to `expected` (`sha256:<hex>`):
   * BLOB_CORRUPT and nothing stored otherwise. Used to fill this store as a cache of a remote one.
   */
  async putStream(source: Readable, expected: string): Promise<BlobInfo> {
    const digest = blobRefDigest(expected);
    const tempName = `${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
    const tempPath = join(this.#tmpDir, tempName);
    const hash = createHash('sha256');
    let size = 0;
    this.#inFlight.add(tempName);
    try {
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            size += chunk.length;
            hash.update(chunk);
            callback(null, chunk);
          },
        }),
        createWriteStream(tempPath, { flags: 'wx', mode: 0o644, flush: true }),
      );
      const actual = hash.digest('hex');
      if (actual !== digest) {
        throw new ShenbiError('BLOB_CORRUPT', `Blob ${expected} is corrupt: its content now hashes to sha256:${actual}.`, {
          details: { ref: expected, actual: `sha256:${actual}` },
          hint: 'The stored object was changed or damaged; regenerate or re-import the artifact.',
        });
      }
      const finalPath = this.#pathOfDigest(digest);
      await mkdir(dirname(finalPath), { recursive: true });
      await rename(tempPath, finalPath);
      await fsyncDir(dirname(finalPath)).catch(() => {});
      return { ref: expected, sha256: digest, size };
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => {});
      if (error instanceof ShenbiError) throw error;
      throw storageError(`Cannot store blob ${expected} in ${this.root}`, error);
    } finally {
      this.#inFlight.delete(tempName);
    }
  }

  #pathOf(ref: string): string {
    return this.#pathOfDigest(blobRefDigest(ref));
  }

  async delete(ref: string): Promise<void> {
    try {
      await rm(this.#pathOf(ref), { force: true });
    } catch (error) {
      throw storageError(`Cannot delete blob ${ref}`, error);
    }
  }

  /** Every blob on disk, with its size and mtime (for sweeps). */
  async *entries(): AsyncGenerator<BlobEntry> {
    for (const a of await listDir(this.#blobsRoot)) {
      for (const b of await listDir(join(this.#blobsRoot, a))) {
        for (const digest of await listDir(join(this.#blobsRoot, a, b))) {
          if (!/^[0-9a-f]{64}$/.test(digest)) continue;
          const info = await stat(join(this.#blobsRoot, a, b, digest)).catch(() => undefined);
          if (info?.isFile()) yield { ref: blobRefFor(digest), size: info.size, mtimeMs: info.mtimeMs };
        }
      }
    }
  }

  /**
   * Removes a blob no artifact references, unless it changed within `olderThanMs`. Safe
   * against a concurrent put of the same bytes: the file is first moved aside (atomic
   * rename), then `isReferenced` is asked again; if a row appeared meanwhile the file is
   * moved back. A put that commits its row after that second check finds the file gone
   * (ArtifactStore.put checks after committing) and writes it again.
   */
  async removeUnreferenced(ref: string, options: { olderThanMs: number; isReferenced: () => Promise<boolean> }): Promise<BlobRemoval> {
    const path = this.#pathOf(ref);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) return { removed: false, reason: 'absent' };
    if (Date.now() - info.mtimeMs < options.olderThanMs) return { removed: false, reason: 'recent' };
    if (await options.isReferenced()) return { removed: false, reason: 'referenced' };
    const asideName = `${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
    const aside = join(this.#tmpDir, asideName);
    this.#inFlight.add(asideName);
    try {
      try {
        await rename(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removed: false, reason: 'absent' }; // another sweep won
        throw storageError(`Cannot move blob ${ref} aside`, error);
      }
      if (await options.isReferenced().catch(() => true)) {
        // A put referenced it meanwhile: put it back (identical bytes if a put rewrote it).
        await rename(aside, path);
        await fsyncDir(dirname(path)).catch(() => {});
        return { removed: false, reason: 'referenced' };
      }
      await rm(aside, { force: true });
      await fsyncDir(dirname(path)).catch(() => {});
      return { removed: true, size: info.size };
    } catch (error) {
      throw storageError(`Cannot delete blob ${ref}`, error);
    } finally {
      this.#inFlight.delete(asideName);
    }
  }

  /**
   * Removes temp files whose writer is gone: a dead process's, or this process's that no
   * write is using. Files of other live processes sharing the directory are kept.
   */
  async sweepTemp(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.#tmpDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw storageError(`Cannot list ${this.#tmpDir}`, error);
    }
    let removed = 0;
    for (const name of names) {
      const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
      const live = pid === process.pid ? this.#inFlight.has(name) : Number.isInteger(pid) && isProcessAlive(pid);
      if (live) continue;
      await rm(join(this.#tmpDir, name), { force: true, recursive: true });
      removed += 1;
    }
    return removed;
  }

  #pathOfDigest(digest: string): string {
    return join(this.#blobsRoot, digest.slice(0, 2), digest.slice(2, 4), digest);
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw storageError(`Cannot list ${dir}`, error);
  }
}

/** ENOSPC and friends become DISK_FULL (via toShenbiError); anything else STORAGE_ERROR. */
function storageError(message: string, error: unknown): ShenbiError {
  const typed = toShenbiError(error, 'STORAGE_ERROR');
  if (typed.code !== 'STORAGE_ERROR') return typed;
  return new ShenbiError('STORAGE_ERROR', `${message}: ${typed.message}`, { cause: error });
}
