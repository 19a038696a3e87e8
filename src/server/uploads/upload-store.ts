import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ShenbiError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { uploadPath } from '../../pipelines/steps/upload-file.ts';
import { sniffMedia } from './sniff-media.ts';
import type { UploadObjects } from '../../store/blobs/upload-objects.ts';
import type { UploadRecord, UploadRepository } from './upload-repository.ts';

export interface UploadLimits {
  dir: string;
  maxBytes: number;
  retentionMs: number;
}

/** Temp files of uploads in flight start with this; a crash can leave one, swept when old. */
const TEMP_PREFIX = '.part-';
/** A temp file this old belongs to no live request (the server's request timeout is shorter). */
const STALE_TEMP_MS = 6 * 3_600_000;

export function tooLarge(maxBytes: number): ShenbiError {
  return new ShenbiError('PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`, { hint: 'Raise uploads.maxMb in config.json to accept larger files.' });
}

/** A file name fit to show back: the base name, printable, at most 200 characters. */
function cleanName(name: string | undefined, id: string): string {
  const base = (name ?? '').split(/[\\/]/).pop()!.replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, 200);
  return base === '' ? id : base;
}

/**
 * Users' own media: streamed to a temp file (never held in memory) while counting and hashing,
 * refused past the size limit or when it is not audio, video or a picture, and renamed into
 * place only when complete and recorded. A failure at any point leaves no file behind.
 */
export class UploadStore {
  constructor(
    readonly repository: UploadRepository,
    readonly limits: UploadLimits,
    /** With S3: every upload's bytes also go to the bucket, so a worker on another machine can read them. */
    readonly objects: UploadObjects | null = null,
  ) {}

  async receive(body: WebReadableStream<Uint8Array> | null, owner: { tenant: string; keyId: string | null }, name: string | undefined, signal?: AbortSignal): Promise<UploadRecord> {
    if (body === null) throw new ShenbiError('INVALID_INPUT', 'The request body is empty: send the file as the body.');
    await mkdir(this.limits.dir, { recursive: true });
    const id = newId('upl');
    const temp = join(this.limits.dir, `${TEMP_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const maxBytes = this.limits.maxBytes;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) return callback(tooLarge(maxBytes));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(body), count, createWriteStream(temp, { flags: 'wx' }), ...(signal ? [{ signal }] : []));
      if (size === 0) throw new ShenbiError('MEDIA_INVALID', 'The upload is empty.');
      const sniffed = await sniffMedia(temp, signal);
      const now = new Date();
      const record: UploadRecord = {
        id,
        tenant: owner.tenant,
        keyId: owner.keyId,
        name: cleanName(name, id),
        mediaType: sniffed.mediaType,
        size,
        sha256: hash.digest('hex'),
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.limits.retentionMs).toISOString(),
      };
      // Bytes in the bucket before the record exists: a worker never finds a record without them.
      await this.objects?.put(id, temp);
      try {
        await this.repository.insert(record);
      } catch (error) {
        await this.objects?.delete(id).catch(() => {});
        throw error;
      }
      try {
        await rename(temp, uploadPath(this.limits.dir, id));
      } catch (error) {
        await this.repository.delete(id);
        await this.objects?.delete(id).catch(() => {});
        throw error;
      }
      return record;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Removes the bytes, then the record: a reader never finds a record without its file for long. */
  async remove(id: string): Promise<void> {
    await rm(uploadPath(this.limits.dir, id), { force: true });
    await this.objects?.delete(id);
    await this.repository.delete(id);
  }

  /** Deletes expired uploads and temp files no live request can own; returns how many uploads went. */
  async sweep(now = new Date()): Promise<number> {
    const expired = await this.repository.expired(now);
    for (const id of expired) await this.remove(id);
    const names = await readdir(this.limits.dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX))) {
      const path = join(this.limits.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && now.getTime() - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
    }
    return expired.length;
  }
}
