import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Artifact } from '../../core/artifact.ts';
import { canonicalJson } from './canonical-json.ts';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Entry format versions. The payload shape is the same in both; what differs is the hash rule:
 * v1 hashed (seq, prevHash, payload) only, so the row's artifact_id and created_at columns,
 * which `ledger export` and `artifacts show --provenance` display, sat outside the hash.
 * v2 hashes every field of the entry as displayed. Old v1 entries keep verifying under their
 * rule (their columns are checked against the hashed payload instead); new entries are v2.
 */
export const LEDGER_ENTRY_VERSION = 2;

/**
 * What the ledger records about one artifact: how it was made (provenance without timings,
 * which say nothing about origin) and what it is (its sha256), plus which labels it got.
 * A new shape or hash rule gets a new `v` and old entries keep verifying.
 */
export const ledgerPayloadSchema = z.object({
  v: z.union([z.literal(1), z.literal(2)]),
  artifactId: z.string().min(1),
  kind: z.string().min(1),
  mimeType: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: sha256Hex,
  createdAt: z.string(),
  jobId: z.string().nullable(),
  stepId: z.string().nullable(),
  task: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  engine: z.object({ id: z.string(), version: z.string() }),
  model: z.object({ name: z.string(), sha256: z.string().nullable() }).nullable(),
  parameters: z.record(z.string(), z.unknown()),
  seed: z.number().int().nullable(),
  parents: z.array(z.string()),
  labels: z.array(z.object({ type: z.string(), placement: z.string() })),
});
export type LedgerPayload = z.infer<typeof ledgerPayloadSchema>;

export const ledgerEntrySchema = z.object({
  seq: z.number().int().positive(),
  artifactId: z.string().min(1),
  createdAt: z.string(),
  payload: ledgerPayloadSchema,
  prevHash: sha256Hex,
  entryHash: sha256Hex,
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

/** The payload recorded for a stored artifact; JSON round-tripped so it hashes the same after reading back. */
export function ledgerPayloadFor(artifact: Artifact): LedgerPayload {
  const p = artifact.provenance;
  const payload: LedgerPayload = {
    v: LEDGER_ENTRY_VERSION,
    artifactId: artifact.id,
    kind: artifact.kind,
    mimeType: artifact.mimeType,
    size: artifact.size,
    sha256: artifact.sha256,
    createdAt: artifact.createdAt,
    jobId: artifact.jobId,
    stepId: artifact.stepId,
    task: p.task,
    inputs: p.inputs,
    engine: { id: p.engine.id, version: p.engine.version },
    model: p.model === null ? null : { name: p.model.name, sha256: p.model.sha256 },
    parameters: p.parameters,
    seed: p.seed,
    parents: p.parents,
    labels: artifact.labels.map((l) => ({ type: l.type, placement: l.placement })),
  };
  return JSON.parse(JSON.stringify(payload)) as LedgerPayload;
}

/** The fields of an entry that its hash covers: everything but the hash itself. */
export interface HashedLedgerFields {
  seq: number;
  artifactId: string;
  createdAt: string;
  prevHash: string;
  /** Parsed JSON; its `v` picks the hash rule. */
  payload: unknown;
}

/**
 * sha256 over the canonical JSON of the entry: each entry commits to all before it.
 * v1 payloads (entries written before v2) hash (seq, prevHash, payload) as they were written;
 * every later version hashes all displayed fields, so forging a column breaks the hash.
 */
export function ledgerEntryHash(entry: HashedLedgerFields): string {
  const { seq, artifactId, createdAt, prevHash, payload } = entry;
  const version = typeof payload === 'object' && payload !== null ? (payload as { v?: unknown }).v : undefined;
  const hashed = version === 1 ? { seq, prevHash, payload } : { seq, artifactId, createdAt, prevHash, payload };
  return createHash('sha256').update(canonicalJson(hashed), 'utf8').digest('hex');
}
