export type {
  ArtifactFilter,
  ArtifactStore,
  BlobEntry,
  BlobInfo,
  BlobRemoval,
  BlobReadOptions,
  BlobStore,
  ConversationRole,
  ConversationStore,
  ConversationTurn,
  JobFilter,
  JobPatch,
  JobRecord,
  JobRepository,
  JobStepRecord,
  NewArtifact,
  NewJob,
  ReclaimReport,
  StepCache,
  SweepOptions,
  Store,
} from './types.ts';
export { openStore, type OpenStoreOptions, type OpenedStore } from './open.ts';
export { openDatabase, type DatabaseHandle, type Dialect, type OpenDatabaseOptions } from './db/connect.ts';
export { parseDatabaseUrl, redactDatabaseUrl, type DatabaseTarget } from './db/database-url.ts';
export { LocalBlobStore } from './blobs/local-blob-store.ts';
// Types only: the S3 client loads when a bucket is configured (openStore), not with the store.
export type { S3BlobStore, DownloadUrlOptions } from './blobs/s3-blob-store.ts';
export type { UploadObjects } from './blobs/upload-objects.ts';
export { blobRefDigest, isBlobRef } from './blobs/blob-ref.ts';
export { SqlArtifactStore } from './artifact-store.ts';
export { SqlJobRepository } from './job-repository.ts';
export { SqlStepCache } from './step-cache.ts';
export { SqlConversationStore } from './conversation-store.ts';
export { MIGRATIONS } from './db/migrations/index.ts';
export { SqlLedgerStore, type LedgerStore, type LedgerRange } from './ledger/ledger-store.ts';
export type { LedgerEntry, LedgerPayload } from './ledger/ledger-entry.ts';
export type { ChainVerification, ChainBreakReason } from './ledger/verify-chain.ts';
