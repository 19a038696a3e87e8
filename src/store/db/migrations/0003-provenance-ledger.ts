import { sql, type Kysely, type Migration } from 'kysely';
import { artifactSchema } from '../../../core/artifact.ts';
import { appendLedgerEntry } from '../../ledger/append-entry.ts';
import { GENESIS_HASH } from '../../ledger/ledger-entry.ts';
import type { Database } from '../schema.ts';

/**
 * The provenance ledger: one append-only, hash-chained entry per artifact, plus a one-row
 * head that appends lock (see ledger/append-entry.ts). Artifacts stored before this
 * migration are entered in creation order, so the ledger covers the whole store.
 * IF NOT EXISTS / ON CONFLICT for the same reason as 0001; the UNIQUE artifact_id makes a
 * second process's backfill fail and retry rather than enter an artifact twice.
 */
export const provenanceLedgerMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('provenance_ledger')
      .ifNotExists()
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('artifact_id', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('entry_hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('provenance_ledger_head')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('entry_hash', 'text', (c) => c.notNull())
      .execute();
    await sql`insert into provenance_ledger_head (id, seq, entry_hash) values (1, 0, ${GENESIS_HASH}) on conflict (id) do nothing`.execute(db);
    await backfill(db as unknown as Kysely<Database>);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('provenance_ledger_head').ifExists().execute();
    await db.schema.dropTable('provenance_ledger').ifExists().execute();
  },
};

async function backfill(db: Kysely<Database>): Promise<void> {
  const rows = await db
    .selectFrom('artifacts')
    .selectAll()
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('provenance_ledger').select('seq').whereRef('provenance_ledger.artifact_id', '=', 'artifacts.id'))))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return;
  // PostgreSQL runs migrations in a transaction already; SQLite's run outside one.
  const inTransaction = (body: (trx: Kysely<Database>) => Promise<void>) => (db.isTransaction ? body(db) : db.transaction().execute(body));
  await inTransaction(async (trx) => {
    for (const row of rows) {
      const parsed = artifactSchema.safeParse({
        id: row.id,
        kind: row.kind,
        mimeType: row.mime_type,
        size: Number(row.size),
        sha256: row.sha256,
        blobRef: row.blob_ref,
        name: row.name,
        jobId: row.job_id,
        stepId: row.step_id,
        createdAt: row.created_at,
        provenance: safeJson(row.provenance),
        labels: safeJson(row.labels),
      });
      // A damaged row cannot be described; `ledger verify` reports it as unrecorded.
      if (parsed.success) await appendLedgerEntry(trx, parsed.data);
    }
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
