import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { databaseFailure } from '../db/database-failure.ts';
import type { Database, ProvenanceLedgerTable } from '../db/schema.ts';
import { ledgerEntrySchema, type LedgerEntry } from './ledger-entry.ts';
import { verifyLedgerChain, type ChainVerification } from './verify-chain.ts';

const rangeSchema = z
  .object({
    fromSeq: z.number().int().positive().optional(),
    toSeq: z.number().int().positive().optional(),
    limit: z.number().int().positive().max(100_000).optional(),
  })
  .strict();
export type LedgerRange = z.input<typeof rangeSchema>;

/** Rows per page when walking the whole ledger. */
const PAGE = 500;

/** The provenance ledger: read, verify, export. Entries are appended by ArtifactStore.put only. */
export interface LedgerStore {
  /** Entries in seq order (all by default). */
  entries(range?: LedgerRange): Promise<LedgerEntry[]>;
  /** The entry of one artifact, if it has one. */
  entryFor(artifactId: string): Promise<LedgerEntry | undefined>;
  /** Recomputes every hash and link from the genesis hash to the head. */
  verifyChain(): Promise<ChainVerification>;
  /** The ledger as JSON lines, one entry per line, in seq order (an async iterable of lines). */
  export(): AsyncIterable<string>;
}

export class SqlLedgerStore implements LedgerStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async entries(range: LedgerRange = {}): Promise<LedgerEntry[]> {
    const { fromSeq, toSeq, limit } = parseOrThrow(rangeSchema, range, 'ledger range');
    let query = this.#db.selectFrom('provenance_ledger').selectAll().orderBy('seq');
    if (fromSeq !== undefined) query = query.where('seq', '>=', fromSeq);
    if (toSeq !== undefined) query = query.where('seq', '<=', toSeq);
    if (limit !== undefined) query = query.limit(limit);
    const rows = await query.execute().catch((error: unknown) => {
      throw databaseFailure('reading the provenance ledger', error);
    });
    return rows.map(rowToEntry);
  }

  async entryFor(artifactId: string): Promise<LedgerEntry | undefined> {
    const row = await this.#db
      .selectFrom('provenance_ledger')
      .selectAll()
      .where('artifact_id', '=', artifactId)
      .executeTakeFirst()
      .catch((error: unknown) => {
        throw databaseFailure(`reading the ledger entry of ${artifactId}`, error);
      });
    return row === undefined ? undefined : rowToEntry(row);
  }

  verifyChain(): Promise<ChainVerification> {
    return verifyLedgerChain(this.#db).catch((error: unknown) => {
      throw databaseFailure('verifying the provenance ledger', error);
    });
  }

  async *export(): AsyncIterable<string> {
    for (let from = 1; ; ) {
      const page = await this.entries({ fromSeq: from, limit: PAGE });
      for (const entry of page) yield JSON.stringify(entry);
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return;
      from = last.seq + 1;
    }
  }
}

function rowToEntry(row: Selectable<ProvenanceLedgerTable>): LedgerEntry {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload) as unknown;
  } catch (error) {
    throw new ShenbiError('DATABASE_ERROR', `Ledger entry ${row.seq} has a payload that is not JSON.`, { cause: error, hint: 'Run: shenbi ledger verify' });
  }
  return parseOrThrow(
    ledgerEntrySchema,
    { seq: Number(row.seq), artifactId: row.artifact_id, createdAt: row.created_at, payload, prevHash: row.prev_hash, entryHash: row.entry_hash },
    `ledger entry ${row.seq}`,
    'DATABASE_ERROR',
  );
}
