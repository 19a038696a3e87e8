import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './connect.ts';

/** How often the offset to the database's clock is measured again. */
const RESYNC_MS = 60_000;

/**
 * Lease times on the database's clock: runners on several hosts compare heartbeats written by
 * each other, so each measures how far its own clock is from the database's (NTP-style: the
 * midpoint of one round trip) and adds that. SQLite lives on this host: no offset.
 */
export class DatabaseClock {
  #offsetMs = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  static async start(db: Kysely<Database>, dialect: Dialect): Promise<DatabaseClock> {
    const clock = new DatabaseClock(db, dialect);
    if (dialect === 'postgres') {
      await clock.#sync();
      clock.#timer = setInterval(() => {
        clock.#sync().catch((error: unknown) => process.emitWarning(`measuring the database clock failed: ${error instanceof Error ? error.message : String(error)}`));
      }, RESYNC_MS);
      clock.#timer.unref();
    }
    return clock;
  }

  /** Milliseconds since the epoch on the database's clock. */
  readonly now = (): number => Date.now() + this.#offsetMs;

  /** This host's clock minus the database's is -offsetMs (tests, `/readyz`). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #sync(): Promise<void> {
    if (this.dialect !== 'postgres') return;
    const sent = Date.now();
    const result = await sql<{ ms: number | string }>`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`.execute(this.db);
    const received = Date.now();
    const databaseMs = Number(result.rows[0]?.ms);
    if (Number.isFinite(databaseMs)) this.#offsetMs = Math.round(databaseMs - (sent + received) / 2);
  }
}
