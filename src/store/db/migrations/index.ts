import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.ts';
import { conversationsMigration } from './0002-conversations.ts';
import { provenanceLedgerMigration } from './0003-provenance-ledger.ts';
import { apiKeysMigration } from './0004-api-keys.ts';
import { uploadsMigration } from './0005-uploads.ts';
import { jobCallerMigration } from './0006-job-caller.ts';
import { usageReservationsMigration } from './0007-usage-reservations.ts';

/**
 * Every migration, in order, listed by hand: no filesystem scanning, so the list is the
 * same under tsx, a bundler or an installed package. Names sort in application order.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initialMigration,
  '0002-conversations': conversationsMigration,
  '0003-provenance-ledger': provenanceLedgerMigration,
  '0004-api-keys': apiKeysMigration,
  '0005-uploads': uploadsMigration,
  '0006-job-caller': jobCallerMigration,
  '0007-usage-reservations': usageReservationsMigration,
};

export const staticMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...MIGRATIONS };
  },
};
