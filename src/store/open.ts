import type { GovernanceHook } from '../governance/hook.ts';
import { SqlArtifactStore } from './artifact-store.ts';
import { LocalBlobStore } from './blobs/local-blob-store.ts';
import { openDatabase, type Dialect } from './db/connect.ts';
import { SqlJobRepository } from './job-repository.ts';
import { SqlConversationStore } from './conversation-store.ts';
import { SqlLedgerStore } from './ledger/ledger-store.ts';
import { SqlStepCache } from './step-cache.ts';
import type { Store } from './types.ts';

export interface OpenStoreOptions {
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…`. */
  database: string;
  /** Root of the content-addressed blob store. */
  blobsDir: string;
  /** Reviews every artifact before it is written. */
  governance: GovernanceHook;
}

/** The store as one object; `close()` is idempotent. */
export interface OpenedStore extends Store {
  readonly dialect: Dialect;
  readonly blobs: LocalBlobStore;
}

/**
 * Opens (and migrates) the metadata database and the blob store, and clears temp files a
 * crashed writer left behind, so nothing half-written is ever mistaken for a blob.
 */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const blobs = await LocalBlobStore.open(options.blobsDir);
  const database = await openDatabase(options.database);
  try {
    await blobs.sweepTemp();
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    dialect: database.dialect,
    blobs,
    artifacts: new SqlArtifactStore(database.db, blobs, options.governance),
    jobs: new SqlJobRepository(database.db),
    cache: new SqlStepCache(database.db),
    conversations: new SqlConversationStore(database.db, database.dialect),
    ledger: new SqlLedgerStore(database.db),
    close: () => database.close(),
  };
}
