import type BetterSqlite3 from 'better-sqlite3';
import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * A Kysely SQLite dialect with group commit. On SQLite every commit costs far more than the
 * small statements the job runner issues (~50 µs of WAL writes each, measured here), and a
 * job makes several. So writes made outside an explicit transaction join one shared
 * transaction that commits on the next turn of the event loop, and each caller's promise
 * resolves only after that COMMIT: the same durability as one commit per write, at a
 * fraction of the cost when many jobs run at once.
 *
 * better-sqlite3 is synchronous, so a statement never interleaves with another; the only
 * exclusion needed is for explicit transactions (Kysely's `db.transaction()`), which span
 * awaits: while one is open, other connections' queries wait for it to end. Opening one
 * first commits the pending group.
 */
export function groupCommitSqliteDialect(database: BetterSqlite3.Database): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new GroupCommitSqliteDriver(database),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers whose own statement failed stop listening; a failed COMMIT must not become an
  // unhandled rejection because of them. Everyone still awaiting gets the error.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Prepared statements are reused by SQL text; preparing costs more than running them. */
const STATEMENT_CACHE_CAPACITY = 256;

class GroupCommitSqliteDriver implements Driver {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** The connection that holds an explicit transaction, and a promise that settles when it ends. */
  #transactionOwner: Connection | null = null;
  #transactionEnded: Deferred | null = null;
  /** The open group of writes awaiting one COMMIT. */
  #group: Deferred | null = null;

  constructor(database: BetterSqlite3.Database) {
    this.#db = database;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Connection(this);
  }

  async releaseConnection(): Promise<void> {}

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    while (this.#isHeldByOther(connection as Connection)) await this.#transactionEnded?.promise;
    this.#commitGroup();
    this.#transactionOwner = connection as Connection;
    this.#transactionEnded = deferred();
    this.#db.exec('begin');
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#transactionOwner !== connection) throw new Error('This connection holds no open transaction to commit.');
    try {
      this.#db.exec('commit');
    } catch (error) {
      // A COMMIT that fails (disk full, a deferred constraint) leaves the transaction open:
      // end it now, before the next waiting transaction or group may begin.
      if (this.#db.inTransaction) this.#db.exec('rollback');
      throw error;
    } finally {
      this.#endTransaction();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // After a failed COMMIT (ended above) another connection's transaction may be open: not ours to roll back.
    if (this.#transactionOwner !== connection) return;
    try {
      if (this.#db.inTransaction) this.#db.exec('rollback');
    } finally {
      this.#endTransaction();
    }
  }

  async destroy(): Promise<void> {
    this.#commitGroup();
    this.#statements.clear();
    this.#db.close();
  }

  async execute(connection: Connection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    // No await between this check and running the statement: a transaction cannot open in between.
    while (this.#isHeldByOther(connection)) await this.#transactionEnded?.promise;
    const statement = this.#prepare(query.sql);
    if (this.#transactionOwner === connection || statement.readonly) return run(statement, query);
    if (this.#group === null) {
      this.#db.exec('begin');
      this.#group = deferred();
      setImmediate(() => this.#commitGroup());
    }
    const group = this.#group;
    // A failing statement is rolled back alone (SQLite statement atomicity); its caller
    // gets the error now and the rest of the group still commits.
    let result: QueryResult<unknown>;
    try {
      result = run(statement, query);
    } catch (error) {
      // Some errors (disk full, I/O) make SQLite roll back the whole transaction: the group's
      // earlier writes are gone, so their callers get this error (not a later "no transaction"
      // from COMMIT), and the next write starts a new group instead of committing on its own.
      if (!this.#db.inTransaction && this.#group === group) {
        this.#group = null;
        group.reject(error);
      }
      throw error;
    }
    await group.promise;
    return result;
  }

  async *stream(connection: Connection, query: CompiledQuery): AsyncIterableIterator<QueryResult<unknown>> {
    while (this.#isHeldByOther(connection)) await this.#transactionEnded?.promise;
    const statement = this.#prepare(query.sql);
    if (!statement.reader) throw new Error('Only statements that return rows can be streamed.');
    for (const row of statement.iterate(query.parameters as unknown[])) yield { rows: [row] };
  }

  #commitGroup(): void {
    const group = this.#group;
    if (group === null) return;
    this.#group = null;
    try {
      // Some errors (disk full, I/O) make SQLite roll the transaction back by itself; then
      // COMMIT fails too and every writer in the group hears about it.
      this.#db.exec('commit');
      group.resolve();
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('rollback');
      group.reject(error);
    }
  }

  #isHeldByOther(connection: Connection): boolean {
    return this.#transactionOwner !== null && this.#transactionOwner !== connection;
  }

  #endTransaction(): void {
    this.#transactionOwner = null;
    const ended = this.#transactionEnded;
    this.#transactionEnded = null;
    ended?.resolve();
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    const hit = this.#statements.get(sql);
    if (hit !== undefined) return hit;
    const statement = this.#db.prepare(sql);
    // Dynamic SQL (IN lists of varying length) must not grow the cache without bound.
    if (this.#statements.size >= STATEMENT_CACHE_CAPACITY) this.#statements.clear();
    this.#statements.set(sql, statement);
    return statement;
  }
}

class Connection implements DatabaseConnection {
  readonly #driver: GroupCommitSqliteDriver;

  constructor(driver: GroupCommitSqliteDriver) {
    this.#driver = driver;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.#driver.execute(this, query) as Promise<QueryResult<R>>;
  }

  streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    return this.#driver.stream(this, query) as AsyncIterableIterator<QueryResult<R>>;
  }
}

function run(statement: BetterSqlite3.Statement, query: CompiledQuery): QueryResult<unknown> {
  const parameters = query.parameters as unknown[];
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}
