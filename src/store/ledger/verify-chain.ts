import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { GENESIS_HASH, ledgerEntryHash } from './ledger-entry.ts';

export type ChainBreakReason =
  /** A seq between the first entry and the head has no row (deleted). */
  | 'missing-entry'
  /** The stored prev_hash is not the entry_hash of the entry before it. */
  | 'prev-hash-mismatch'
  /** The entry's content no longer hashes to its entry_hash (payload, seq or prev_hash edited). */
  | 'hash-mismatch'
  /** The payload column is not JSON. */
  | 'payload-unreadable'
  /** The row's artifact_id differs from the artifact the payload describes. */
  | 'artifact-id-mismatch'
  /** The row's created_at differs from the time the payload recorded (v1 entries; a v2 entry gives hash-mismatch). */
  | 'created-at-mismatch'
  /** The head row does not point at the last entry (entries appended or removed around it). */
  | 'head-mismatch'
  /** The artifact row's sha256 differs from the one the ledger recorded. */
  | 'artifact-sha256-mismatch'
  /** The artifact row's created_at differs from the time the ledger recorded. */
  | 'artifact-created-at-mismatch';

export interface ChainVerification {
  ok: boolean;
  /** Entries checked and found intact before the first break (all of them when ok). */
  entries: number;
  head: { seq: number; entryHash: string };
  firstBroken?: { seq: number; reason: ChainBreakReason; artifactId?: string };
  /** Artifacts with no ledger entry (stored by something other than ArtifactStore.put). */
  unrecordedArtifacts: number;
}

const PAGE = 500;

/**
 * Walks the chain in seq order from the genesis hash, recomputing each entry hash and
 * link, then checks the head and that every artifact row still has the sha256 its entry
 * recorded. Stops at the first break: everything after it is unverifiable anyway.
 */
export async function verifyLedgerChain(db: Kysely<Database>): Promise<ChainVerification> {
  const headRow = await db.selectFrom('provenance_ledger_head').select(['seq', 'entry_hash']).where('id', '=', 1).executeTakeFirst();
  const head = { seq: Number(headRow?.seq ?? 0), entryHash: headRow?.entry_hash ?? GENESIS_HASH };
  const unrecorded = await db
    .selectFrom('artifacts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('provenance_ledger').select('seq').whereRef('provenance_ledger.artifact_id', '=', 'artifacts.id'))))
    .executeTakeFirstOrThrow();
  const unrecordedArtifacts = Number(unrecorded.n);

  let expected = 1;
  let prevHash = GENESIS_HASH;
  const broken = (seq: number, reason: ChainBreakReason, artifactId?: string): ChainVerification => ({
    ok: false,
    entries: expected - 1,
    head,
    firstBroken: { seq, reason, ...(artifactId === undefined ? {} : { artifactId }) },
    unrecordedArtifacts,
  });

  for (;;) {
    const rows = await db.selectFrom('provenance_ledger').selectAll().where('seq', '>=', expected).orderBy('seq').limit(PAGE).execute();
    const artifactRows = await artifactRecords(db, rows.map((r) => r.artifact_id));
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expected) return broken(expected, 'missing-entry');
      if (row.prev_hash !== prevHash) return broken(seq, 'prev-hash-mismatch', row.artifact_id);
      let payload: { artifactId?: unknown; sha256?: unknown; createdAt?: unknown } | null;
      try {
        payload = JSON.parse(row.payload) as typeof payload;
      } catch {
        payload = null;
      }
      if (typeof payload !== 'object' || payload === null) return broken(seq, 'payload-unreadable', row.artifact_id);
      const hashed = { seq, artifactId: row.artifact_id, createdAt: row.created_at, prevHash: row.prev_hash, payload };
      if (ledgerEntryHash(hashed) !== row.entry_hash) return broken(seq, 'hash-mismatch', row.artifact_id);
      // The displayed columns must say what the hashed payload says (the only cover v1 entries have).
      if (payload.artifactId !== row.artifact_id) return broken(seq, 'artifact-id-mismatch', row.artifact_id);
      if (payload.createdAt !== row.created_at) return broken(seq, 'created-at-mismatch', row.artifact_id);
      const stored = artifactRows.get(row.artifact_id);
      if (stored !== undefined && stored.sha256 !== payload.sha256) return broken(seq, 'artifact-sha256-mismatch', row.artifact_id);
      if (stored !== undefined && stored.created_at !== payload.createdAt) return broken(seq, 'artifact-created-at-mismatch', row.artifact_id);
      prevHash = row.entry_hash;
      expected = seq + 1;
    }
    if (rows.length < PAGE) break;
  }
  const last = expected - 1;
  if (head.seq > last) return broken(last + 1, 'missing-entry');
  if (head.seq !== last || head.entryHash !== prevHash) return broken(head.seq, 'head-mismatch');
  return { ok: unrecordedArtifacts === 0, entries: last, head, unrecordedArtifacts };
}

async function artifactRecords(db: Kysely<Database>, ids: string[]): Promise<Map<string, { sha256: string; created_at: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('artifacts').select(['id', 'sha256', 'created_at']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}
