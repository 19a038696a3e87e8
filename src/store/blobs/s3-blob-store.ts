import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Settings } from '../../config/scale-out.ts';
import { blobRefFor } from '../../core/artifact.ts';
import { isShenbiError, ShenbiError } from '../../core/errors.ts';
import type { BlobEntry, BlobInfo, BlobReadOptions, BlobRemoval, BlobStore } from '../types.ts';
import { blobRefDigest } from './blob-ref.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { checkBucket, createS3Client, isNotFound, s3Unavailable } from './s3-client.ts';

/** Above this a blob goes up in parts (lib-storage Upload), 8 MB each, 4 at a time. */
export const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const PART_QUEUE = 4;
const LIST_PAGE = 1000;

export interface DownloadUrlOptions {
  fileName?: string;
  /** The full Content-Disposition value to answer with (wins over fileName). */
  contentDisposition?: string;
  contentType?: string;
  expiresSeconds: number;
}

/**
 * Content-addressed blobs in an S3 bucket: `<prefix>/blobs/sha256/<aa>/<hex>`, refs
 * `sha256:<hex>` as on disk. Every read is streamed into a local cache (a LocalBlobStore)
 * and hashed on the way (BLOB_CORRUPT on a mismatch), so engines that need files get one and
 * a blob is fetched once per machine. Writes put the bytes (idempotent: same key, same bytes;
 * the put also refreshes LastModified, which the sweep's grace period counts from).
 */
export class S3BlobStore implements BlobStore {
  readonly settings: S3Settings;
  readonly cache: LocalBlobStore;
  readonly #client: S3Client;
  readonly #keyRoot: string;

  private constructor(settings: S3Settings, client: S3Client, cache: LocalBlobStore) {
    this.settings = settings;
    this.#client = client;
    this.cache = cache;
    this.#keyRoot = `${settings.prefix === '' ? '' : `${settings.prefix}/`}blobs/sha256/`;
  }

  /** Opens the cache under `cacheDir` and checks the bucket answers (BLOB_STORE_UNAVAILABLE otherwise). */
  static async open(settings: S3Settings, cacheDir: string, options: { client?: S3Client } = {}): Promise<S3BlobStore> {
    const client = options.client ?? createS3Client(settings);
    try {
      await checkBucket(client, settings);
    } catch (error) {
      client.destroy();
      throw error;
    }
    return new S3BlobStore(settings, client, await LocalBlobStore.open(cacheDir));
  }

  /** The client (shared with the upload objects of the same bucket). */
  get client(): S3Client {
    return this.#client;
  }

  /** The object key of a blob (exposed for tests and `shenbi doctor`-style diagnostics). */
  keyOf(ref: string): string {
    const digest = blobRefDigest(ref);
    return `${this.#keyRoot}${digest.slice(0, 2)}/${digest}`;
  }

  async put(bytes: Uint8Array): Promise<BlobInfo> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const info: BlobInfo = { ref: blobRefFor(sha256), sha256, size: bytes.byteLength };
    const key = this.keyOf(info.ref);
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      if (bytes.byteLength > MULTIPART_THRESHOLD) {
        await new Upload({ client: this.#client, params: { Bucket: this.settings.bucket, Key: key, Body: body }, partSize: PART_SIZE, queueSize: PART_QUEUE, leavePartsOnError: false }).done();
      } else {
        await this.#client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: body, ContentLength: bytes.byteLength }));
      }
    } catch (error) {
      throw s3Unavailable(this.settings, `could not store blob ${info.ref} (${bytes.byteLength} bytes)`, error);
    }
    // The producer usually reads its own output next (or an engine needs its file): keep a copy.
    await this.cache.put(bytes).catch(() => {});
    return info;
  }

  async read(ref: string, options: BlobReadOptions = {}): Promise<Buffer> {
    await this.#materialise(ref);
    try {
      return await this.cache.read(ref, options);
    } catch (error) {
      // A damaged cache copy is not a damaged blob: drop it and fetch the object again once.
      if (!isShenbiError(error) || error.code !== 'BLOB_CORRUPT') throw error;
      await this.cache.delete(ref);
      await this.#materialise(ref);
      return this.cache.read(ref, options);
    }
  }

  async localPath(ref: string): Promise<string> {
    await this.#materialise(ref);
    return this.cache.localPath(ref);
  }

  async has(ref: string): Promise<boolean> {
    return (await this.#head(ref)) !== undefined;
  }

  async delete(ref: string): Promise<void> {
    const key = this.keyOf(ref);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
    } catch (error) {
      throw s3Unavailable(this.settings, `could not delete blob ${ref}`, error);
    }
    await this.cache.delete(ref);
  }

  /** The cache's leftovers: nothing half-written ever lands in the bucket (a failed multipart upload is aborted). */
  sweepTemp(): Promise<number> {
    return this.cache.sweepTemp();
  }

  /** Every blob in the bucket (paginated ListObjectsV2), mtime = LastModified. */
  async *entries(): AsyncGenerator<BlobEntry> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.#keyRoot, MaxKeys: LIST_PAGE, ...(token ? { ContinuationToken: token } : {}) }));
      } catch (error) {
        throw s3Unavailable(this.settings, 'could not list blobs', error);
      }
      for (const object of page.Contents ?? []) {
        const digest = object.Key?.slice(object.Key.lastIndexOf('/') + 1) ?? '';
        if (!/^[0-9a-f]{64}$/.test(digest) || object.Key !== `${this.#keyRoot}${digest.slice(0, 2)}/${digest}`) continue;
        yield { ref: blobRefFor(digest), size: object.Size ?? 0, mtimeMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /**
   * The local store's protocol on S3: too recent (LastModified within the grace) or
   * referenced → kept. Otherwise the object is copied aside (server-side), deleted, and
   * references asked again; if a row appeared meanwhile it is copied back. A put that
   * commits after that finds it gone (ArtifactStore.put checks `has`) and writes it again.
   */
  async removeUnreferenced(ref: string, options: { olderThanMs: number; isReferenced: () => Promise<boolean> }): Promise<BlobRemoval> {
    const head = await this.#head(ref);
    if (head === undefined) return { removed: false, reason: 'absent' };
    if (Date.now() - head.mtimeMs < options.olderThanMs) return { removed: false, reason: 'recent' };
    if (await options.isReferenced()) return { removed: false, reason: 'referenced' };
    const key = this.keyOf(ref);
    const aside = `${this.settings.prefix === '' ? '' : `${this.settings.prefix}/`}trash/${blobRefDigest(ref)}-${process.pid}-${Date.now()}`;
    try {
      await this.#copy(key, aside);
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      if (await options.isReferenced().catch(() => true)) {
        await this.#copy(aside, key);
        return { removed: false, reason: 'referenced' };
      }
      await this.cache.delete(ref);
      return { removed: true, size: head.size };
    } catch (error) {
      if (isNotFound(error)) return { removed: false, reason: 'absent' }; // another sweep won
      throw s3Unavailable(this.settings, `could not delete blob ${ref}`, error);
    } finally {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: aside })).catch(() => {});
    }
  }

  /** A presigned GET of the blob, answering with the given name and type. */
  async downloadUrl(ref: string, options: DownloadUrlOptions): Promise<string> {
    const disposition = options.contentDisposition ?? (options.fileName === undefined ? undefined : `attachment; filename*=UTF-8''${encodeURIComponent(options.fileName)}`);
    const command = new GetObjectCommand({
      Bucket: this.settings.bucket,
      Key: this.keyOf(ref),
      ...(disposition === undefined ? {} : { ResponseContentDisposition: disposition }),
      ...(options.contentType === undefined ? {} : { ResponseContentType: options.contentType }),
    });
    return getSignedUrl(this.#client, command, { expiresIn: options.expiresSeconds });
  }

  close(): void {
    this.#client.destroy();
  }

  /** Fetches the object into the cache unless it is there; the cache hashes the stream (BLOB_CORRUPT on mismatch). */
  async #materialise(ref: string): Promise<void> {
    if (await this.cache.has(ref)) return;
    const key = this.keyOf(ref);
    let body: Readable;
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      if (!(answer.Body instanceof Readable)) throw new Error('the object has no readable body');
      body = answer.Body;
    } catch (error) {
      if (isNotFound(error)) throw new ShenbiError('BLOB_NOT_FOUND', `Blob ${ref} is not in the blob store s3://${this.settings.bucket}/${key}.`, { details: { ref } });
      throw s3Unavailable(this.settings, `could not read blob ${ref}`, error);
    }
    try {
      await this.cache.putStream(body, ref);
    } catch (error) {
      if (isShenbiError(error)) throw error;
      throw s3Unavailable(this.settings, `could not read blob ${ref}`, error);
    }
  }

  async #head(ref: string): Promise<{ size: number; mtimeMs: number } | undefined> {
    const key = this.keyOf(ref);
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, mtimeMs: head.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw s3Unavailable(this.settings, `could not look up blob ${ref}`, error);
    }
  }

  async #copy(from: string, to: string): Promise<void> {
    await this.#client.send(new CopyObjectCommand({ Bucket: this.settings.bucket, Key: to, CopySource: `${this.settings.bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}` }));
  }
}
