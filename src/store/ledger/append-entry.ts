import type { Kysely } from 'kysely';
import type { Artifact } from '../../core/artifact.ts';
import { ShenbiError } from '../../core/errors.ts';
import type { Database } from '../db/schema.ts';
import { canonicalJson } from './canonical-json.ts';
import { ledgerEntryHash, ledgerPayloadFor, type LedgerEntry } from './ledger-entry.ts';

/**
 * Appends the artifact's entry. Call it inside the transaction that inserts the artifact
 * row, so both commit or neither does.
 *
 * Serialisation: the first statement UPDATEs the single head row. On PostgreSQL that takes
 * the row lock, so a concurrent append waits for this transaction to end and then sees the
 * new head (READ COMMITTED re-evaluates the UPDATE on the latest row version). On SQLite a
 * write as the first statement takes the database write lock (busy_timeout waits for
 * another process); within one process the group-commit driver runs one explicit
 * transaction at a time. Either way each append reads the head its predecessor wrote.
 */
export async function appendLedgerEntry(trx: Kysely<Database>, artifact: Artifact): Promise<LedgerEntry> {
  const head = await trx
    .updateTable('provenance_ledger_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'entry_hash'])
    .executeTakeFirst();
  if (head === undefined) {
    throw new ShenbiError('DATABASE_ERROR', 'The provenance ledger has no head row (migration 0003-provenance-ledger incomplete).');
  }
  const seq = Number(head.seq);
  const prevHash = head.entry_hash;
  const payload = ledgerPayloadFor(artifact);
  const entryHash = ledgerEntryHash({ seq, artifactId: artifact.id, createdAt: artifact.createdAt, prevHash, payload });
  await trx
    .insertInto('provenance_ledger')
    .values({ seq, artifact_id: artifact.id, created_at: artifact.createdAt, payload: canonicalJson(payload), prev_hash: prevHash, entry_hash: entryHash })
    .execute();
  await trx.updateTable('provenance_ledger_head').set({ entry_hash: entryHash }).where('id', '=', 1).execute();
  return { seq, artifactId: artifact.id, createdAt: artifact.createdAt, payload, prevHash, entryHash };
}
