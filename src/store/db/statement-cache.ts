import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite driver calls `prepare()` for every query; preparing costs more than
 * running the small statements the job runner issues thousands of times a second. This
 * wrapper keeps prepared statements by SQL text. Safe because Kysely serializes all use
 * of the single SQLite connection behind a mutex, so no statement is used twice at once.
 */
export function withStatementCache(database: BetterSqlite3.Database, capacity = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close() {
      cache.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit !== undefined) return hit;
      const statement = database.prepare(sql);
      // Dynamic SQL (IN lists of varying length) must not grow the cache without bound.
      if (cache.size >= capacity) cache.clear();
      cache.set(sql, statement);
      return statement;
    },
  };
}
