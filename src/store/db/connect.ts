import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import type { CustomTypesConfig, types as PgTypes } from 'pg';
import { ShenbiError } from '../../core/errors.ts';
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';
import { groupCommitSqliteDialect } from './sqlite-group-commit.ts';

export type Dialect = 'sqlite' | 'postgres';

/** An open metadata database, migrated to the schema this code expects. */
export interface DatabaseHandle {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  /** The database URL with any password redacted, for messages. */
  readonly url: string;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
}

/** How long a SQLite writer waits for another process's lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;
const PG_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens `sqlite:<path>` / `sqlite::memory:` (better-sqlite3, WAL) or `postgres://…` (pg
 * pool) behind the same Kysely interface, checks it answers, and runs migrations.
 * Bad URL → CONFIG_INVALID; a database that cannot be reached or opened → DATABASE_ERROR.
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const target = parseDatabaseUrl(url);
  const shownUrl = redactDatabaseUrl(url);
  const handle =
    target.dialect === 'sqlite'
      ? openSqlite(target.path, shownUrl)
      : await openPostgres(target.url, shownUrl, options.maxConnections ?? 10);
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(handle.db, shownUrl);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

/**
 * One SQLite connection per file per process, shared by every store opened on it. Group
 * commit holds the write lock until the next turn of the event loop; a second connection
 * in the same process would block that very loop in its busy wait and deadlock. Processes
 * still share the file through SQLite's own locking.
 */
const sharedSqlite = new Map<string, { db: Kysely<Database>; users: number }>();

function openSqlite(path: string, shownUrl: string): DatabaseHandle {
  if (path === ':memory:') return makeHandle('sqlite', createSqlite(path, shownUrl), shownUrl);
  const key = resolve(path);
  let shared = sharedSqlite.get(key);
  if (shared === undefined) {
    shared = { db: createSqlite(key, shownUrl), users: 0 };
    sharedSqlite.set(key, shared);
  }
  shared.users++;
  const entry = shared;
  return makeHandle('sqlite', entry.db, shownUrl, async () => {
    entry.users--;
    if (entry.users > 0) return;
    sharedSqlite.delete(key);
    await entry.db.destroy();
  });
}

function createSqlite(path: string, shownUrl: string): Kysely<Database> {
  let sqlite: BetterSqlite3.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    sqlite = new BetterSqlite3(path);
  } catch (error) {
    throw databaseError(`Cannot open the SQLite database ${shownUrl}`, error);
  }
  try {
    // WAL lets readers run beside the writer; NORMAL is durable across process crashes
    // (only an OS crash can lose the last transactions) and much faster than FULL.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    sqlite.close();
    throw databaseError(`Cannot use the SQLite database ${shownUrl} (is it a SQLite file?)`, error);
  }
  return new Kysely<Database>({ dialect: groupCommitSqliteDialect(sqlite) });
}

async function openPostgres(url: string, shownUrl: string, max: number): Promise<DatabaseHandle> {
  // Loaded here, not at the top: the embedded default (SQLite) never pays for the driver.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    types: numericTypes(pg.types),
  });
  // An idle client losing its connection (server restart) emits 'error' on the pool; without
  // a listener that kills the process. The pool replaces the client on the next query.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw databaseError(`Cannot connect to the PostgreSQL database ${shownUrl}`, error, {
      hint: 'Check that the server is running and that the URL, user and password are right.',
    });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return makeHandle('postgres', db, shownUrl);
}

const PG_INT8_OID = 20;
const PG_NUMERIC_OID = 1700;

/**
 * pg returns BIGINT and NUMERIC as strings (they can exceed 2^53). Ours are epoch ms,
 * byte sizes and counts, all far below that, so parse them as numbers, per pool rather
 * than through pg's process-wide parser table.
 */
function numericTypes(types: typeof PgTypes): CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if ((oid === PG_INT8_OID || oid === PG_NUMERIC_OID) && format !== 'binary') {
        return (value: string) => Number(value);
      }
      return format === undefined ? types.getTypeParser(oid) : types.getTypeParser(oid, format);
    }) as typeof types.getTypeParser,
  };
}

function makeHandle(dialect: Dialect, db: Kysely<Database>, url: string, release: () => Promise<void> = () => db.destroy()): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return {
    dialect,
    db,
    url,
    close() {
      closing ??= release();
      return closing;
    },
  };
}

function databaseError(message: string, cause: unknown, extra: { hint?: string } = {}): ShenbiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ShenbiError('DATABASE_ERROR', `${message}: ${reason}`, { cause, ...extra });
}
