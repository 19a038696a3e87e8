import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { GovernanceHook } from '../../src/governance/hook.ts';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { createFreshDatabase, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

export type TestDialect = 'sqlite' | 'postgres';

export interface DialectContext {
  readonly dialect: TestDialect;
  /** A database URL nobody has used yet (a new file, or a new PostgreSQL database). */
  freshDatabaseUrl(): Promise<string>;
  /** A new temp directory, removed after the suite. */
  tempDir(): Promise<string>;
  /** A store on a fresh database and blob directory; closed after the suite. */
  openFreshStore(governance?: GovernanceHook): Promise<OpenedStore & { blobsDir: string; databaseUrl: string }>;
}

/** Lets every write through untouched and records what it saw. */
export function passThroughGovernance(seen: string[] = []): GovernanceHook {
  return {
    name: 'pass-through',
    async review(candidate) {
      seen.push(candidate.id);
      return { bytes: candidate.bytes, labels: [] };
    },
  };
}

/**
 * Declares the same suite once per dialect. PostgreSQL comes from test/helpers/postgres.ts
 * (one throwaway cluster per suite); if it cannot start, the suite fails.
 */
export function describeEachDialect(title: string, body: (ctx: DialectContext) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${dialect}]`, () => {
      let root = '';
      let server: TestPostgres | undefined;
      const databases: TestPostgres[] = [];
      const stores: OpenedStore[] = [];
      let counter = 0;

      before(async () => {
        root = await mkdtemp(join(tmpdir(), `shenbi-store-${dialect}-`));
        if (dialect === 'postgres') server = await startPostgres();
      });
      after(async () => {
        for (const store of stores) await store.close();
        for (const db of databases) await db.stop();
        await server?.stop();
        await rm(root, { recursive: true, force: true });
      });

      const ctx: DialectContext = {
        dialect,
        async freshDatabaseUrl() {
          counter += 1;
          if (dialect === 'sqlite') return `sqlite:${join(root, `db-${counter}.sqlite`)}`;
          if (server === undefined) throw new Error('PostgreSQL did not start');
          const db = await createFreshDatabase(server.url);
          databases.push(db);
          return db.url;
        },
        async tempDir() {
          counter += 1;
          return mkdtemp(join(root, `dir-${counter}-`));
        },
        async openFreshStore(governance = passThroughGovernance()) {
          const databaseUrl = await ctx.freshDatabaseUrl();
          const blobsDir = join(await ctx.tempDir(), 'blobs');
          const store = await openStore({ database: databaseUrl, blobsDir, governance });
          stores.push(store);
          return Object.assign(store, { blobsDir, databaseUrl });
        },
      };
      body(ctx);
    });
  }
}
