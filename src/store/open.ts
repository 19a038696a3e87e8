import type { GovernanceHook } from '../governance/hook.ts';
import { SqlArtifactStore } from './artifact-store.ts';
import type { S3Settings } from '../config/scale-out.ts';
import { LocalBlobStore } from './blobs/local-blob-store.ts';
import type { S3BlobStore } from './blobs/s3-blob-store.ts';
import type { UploadObjects } from './blobs/upload-objects.ts';
import { openDatabase, type Dialect } from './db/connect.ts';
import { DatabaseClock } from './db/database-clock.ts';
import { SqlJobRepository } from './job-repository.ts';
import { SqlConversationStore } from './conversation-store.ts';
import { SqlLedgerStore } from './ledger/ledger-store.ts';
import { SqlStepCache } from './step-cache.ts';
import type { BlobStore, Store } from './types.ts';

export interface OpenStoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…`. */
  database: string;
  /** Root of the content-addressed blob store (with `s3`: its local cache). */
  blobsDir: string;
  /** Blobs (and uploads) in this S3 bucket; null or absent: on disk under blobsDir. */
  s3?: S3Settings | null;
  /** Reviews every artifact before it is written. */
  governance: GovernanceHook;
}

/** The store as one object; `close()` is idempotent. */
export interface OpenedStore extends Store {
  readonly dialect: Dialect;
  readonly blobs: BlobStore;
  /** The S3 store when blobs live in a bucket (presigned downloads), else null. */
  readonly s3Blobs: S3BlobStore | null;
  /** Where uploads' bytes are shared between machines (the bucket); null: the local uploads dir only. */
  readonly uploadObjects: UploadObjects | null;
  /** Lease time on the database's clock (shared by every runner of a PostgreSQL database). */
  readonly clock: () => number;
}

/**
 * Opens (and migrates) the metadata database and the blob store, and clears temp files a
 * crashed writer left behind, so nothing half-written is ever mistaken for a blob.
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const s3 = options.s3 ?? null;
  // S3 first: an unreachable bucket fails the start before the database is touched.
  // The S3 client (~0.1 s to load) only when a bucket is configured: most runs keep blobs on disk.
  let s3Blobs: S3BlobStore | null = null;
  let uploadObjects: UploadObjects | null = null;
  if (s3 !== null) {
    const [{ S3BlobStore }, { S3UploadObjects }] = await Promise.all([import('./blobs/s3-blob-store.ts'), import('./blobs/upload-objects.ts')]);
    s3Blobs = await S3BlobStore.open(s3, options.blobsDir);
    uploadObjects = new S3UploadObjects(s3Blobs.settings, s3Blobs.client);
  }
  const blobs: BlobStore = s3Blobs ?? (await LocalBlobStore.open(options.blobsDir));
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(options.database);
  } catch (error) {
    s3Blobs?.close();
    throw error;
  }
  let clock: DatabaseClock;
  try {
    await blobs.sweepTemp();
    clock = await DatabaseClock.start(database.db, database.dialect);
  } catch (error) {
    await database.close();
    s3Blobs?.close();
    throw error;
  }
  return {
    dialect: database.dialect,
    blobs,
    s3Blobs,
    uploadObjects,
    presignedDownloads:
      s3Blobs === null || !s3Blobs.settings.presignDownloads
        ? null
        : { url: (ref, o) => s3Blobs.downloadUrl(ref, { ...o, expiresSeconds: s3Blobs.settings.presignExpiresSeconds }) },
    artifacts: new SqlArtifactStore(database.db, blobs, options.governance),
    jobs: new SqlJobRepository(database.db, database.dialect),
    cache: new SqlStepCache(database.db),
    conversations: new SqlConversationStore(database.db, database.dialect),
    ledger: new SqlLedgerStore(database.db),
    clock: clock.now,
    close: async () => {
      clock.stop();
      await database.close();
      s3Blobs?.close();
    },
  };
}
