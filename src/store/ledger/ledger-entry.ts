import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Artifact } from '../../core/artifact.ts';
import { canonicalJson } from './canonical-json.ts';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What the ledger records about one artifact: how it was made (provenance without timings,
 * which say nothing about origin) and what it is (its sha256), plus which labels it got.
 * Version 1; a new shape gets a new `v` and old entries keep verifying.
 */
export const ledgerPayloadSchema = z.object({
  v: z.literal(1),
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
    v: 1,
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

/** sha256 over the canonical JSON of (seq, prevHash, payload): each entry commits to all before it. */
export function ledgerEntryHash(seq: number, prevHash: string, payload: unknown): string {
  return createHash('sha256').update(canonicalJson({ seq, prevHash, payload }), 'utf8').digest('hex');
}
