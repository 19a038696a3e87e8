import { Migrator, sql, type Kysely } from 'kysely';
import { ShenbiError } from '../../core/errors.ts';
import { MIGRATIONS, staticMigrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';

export const MIGRATION_TABLE = 'shenbi_migration';
const MIGRATION_LOCK_TABLE = 'shenbi_migration_lock';

/**
 * Brings the schema up to date. Refuses (DATABASE_ERROR) a database that a newer Shenbi
 * has migrated further than this code knows, instead of running old code on a new schema.
 */
export async function migrateToLatest(db: Kysely<Database>, shownUrl: string): Promise<void> {
  const before = await appliedMigrations(db, shownUrl);
  refuseNewerSchema(before, shownUrl);
  if (Object.keys(MIGRATIONS).every((name) => before.has(name))) return;

  const migrator = new Migrator({
    db,
    provider: staticMigrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  // Another process may be migrating the same fresh SQLite file at the same moment (Kysely
  // takes no lock there): one of us loses a race on a migration row. Wait for the winner to
  // finish and look again, rather than fail an open that would have worked a moment later.
  let error: unknown;
  for (let attempt = 0; attempt < 8; attempt++) {
    ({ error } = await migrator.migrateToLatest());
    if (error === undefined) return;
    const after = await appliedMigrations(db, shownUrl).catch(() => new Set<string>());
    if (Object.keys(MIGRATIONS).every((name) => after.has(name))) return;
    await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
  }
  const reason = error instanceof Error ? error.message : String(error);
  throw new ShenbiError('DATABASE_ERROR', `Migrating the database ${shownUrl} failed: ${reason}`, { cause: error });
}

/** Names of the migrations already applied; empty for a fresh database. */
async function appliedMigrations(db: Kysely<Database>, shownUrl: string): Promise<Set<string>> {
  let tables;
  try {
    tables = await db.introspection.getTables();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ShenbiError('DATABASE_ERROR', `Cannot read the database ${shownUrl}: ${reason}`, { cause: error });
  }
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return new Set();
  const result = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return new Set(result.rows.map((row) => row.name));
}

function refuseNewerSchema(applied: Set<string>, shownUrl: string): void {
  const unknown = [...applied].filter((name) => !Object.hasOwn(MIGRATIONS, name)).sort();
  if (unknown.length === 0) return;
  throw new ShenbiError(
    'DATABASE_ERROR',
    `The database ${shownUrl} was migrated by a newer version of Shenbi (it has migration ${unknown.join(', ')}, ` +
      `which this version does not know). Refusing to use it.`,
    { hint: 'Upgrade Shenbi, or point the "database" setting at another database.', details: { unknownMigrations: unknown } },
  );
}
