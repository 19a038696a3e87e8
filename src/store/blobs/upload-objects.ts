import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Settings } from '../../config/scale-out.ts';
import { isValidId } from '../../core/ids.ts';
import { isNotFound, s3Unavailable } from './s3-client.ts';
import { MULTIPART_THRESHOLD } from './s3-blob-store.ts';

/**
 * Users' uploads (`upl_…`) shared between machines: the server that receives one stores its
 * bytes here, a worker elsewhere fetches them into its own uploads dir on first read.
 */
export interface UploadObjects {
  /** Stores the upload's file (streamed). */
  put(id: string, file: string): Promise<void>;
  /** Streams the upload into `file` (via a temp file, then rename); false if there is no such object. */
  fetchTo(id: string, file: string): Promise<boolean>;
  /** Deletes the object (absent is fine). */
  delete(id: string): Promise<void>;
}

/** Uploads under `<prefix>/uploads/<id>` of the blob bucket. */
export class S3UploadObjects implements UploadObjects {
  readonly #settings: S3Settings;
  readonly #client: S3Client;

  constructor(settings: S3Settings, client: S3Client) {
    this.#settings = settings;
    this.#client = client;
  }

  keyOf(id: string): string {
    // Ids come from newId('upl'); anything else never reaches a key.
    if (!isValidId(id, 'upl')) throw new TypeError(`not an upload id: ${JSON.stringify(id).slice(0, 60)}`);
    return `${this.#settings.prefix === '' ? '' : `${this.#settings.prefix}/`}uploads/${id}`;
  }

  async put(id: string, file: string): Promise<void> {
    const key = this.keyOf(id);
    const { size } = await stat(file);
    try {
      if (size > MULTIPART_THRESHOLD) {
        await new Upload({ client: this.#client, params: { Bucket: this.#settings.bucket, Key: key, Body: createReadStream(file) }, partSize: MULTIPART_THRESHOLD, queueSize: 4, leavePartsOnError: false }).done();
      } else {
        await this.#client.send(new PutObjectCommand({ Bucket: this.#settings.bucket, Key: key, Body: createReadStream(file), ContentLength: size }));
      }
    } catch (error) {
      throw s3Unavailable(this.#settings, `could not store upload ${id}`, error);
    }
  }

  async fetchTo(id: string, file: string): Promise<boolean> {
    let body: Readable;
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.#settings.bucket, Key: this.keyOf(id) }));
      if (!(answer.Body instanceof Readable)) throw new Error('the object has no readable body');
      body = answer.Body;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw s3Unavailable(this.#settings, `could not read upload ${id}`, error);
    }
    // `.part-…`: the upload sweeper's temp-file prefix, so a crash's leftover is swept once stale.
    const temp = join(dirname(file), `.part-${basename(file)}-${randomBytes(4).toString('hex')}`);
    try {
      await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
      await rename(temp, file);
      return true;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw s3Unavailable(this.#settings, `could not read upload ${id}`, error);
    }
  }

  async delete(id: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#settings.bucket, Key: this.keyOf(id) }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw s3Unavailable(this.#settings, `could not delete upload ${id}`, error);
    }
  }
}
