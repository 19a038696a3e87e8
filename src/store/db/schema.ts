import type { Generated } from 'kysely';

/**
 * Table shapes shared by SQLite and PostgreSQL. JSON travels as TEXT on both, timestamps
 * as ISO-8601 TEXT and epoch milliseconds as BIGINT/INTEGER read back as numbers, so the
 * same queries run unchanged on either.
 */
export interface ArtifactsTable {
  id: string;
  kind: string;
  mime_type: string;
  size: number;
  sha256: string;
  blob_ref: string;
  name: string | null;
  job_id: string | null;
  step_id: string | null;
  /** JSON: Provenance. */
  provenance: string;
  /** JSON: LabelRecord[]. */
  labels: string;
  created_at: string;
}

export interface JobsTable {
  id: string;
  pipeline_id: string;
  /** JSON: the PipelineSpec as submitted, so a job can resume after the code changed. */
  spec: string;
  /** JSON: the validated pipeline input. */
  input: string;
  /** The submitting tenant (null: CLI or embedder). Migration 0006. */
  caller_tenant: string | null;
  /** 1 when steps may read local files named in the input, 0 for API-key callers. Migration 0006. */
  local_files: number;
  status: string;
  /** JSON: pipeline outputs, once completed. */
  outputs: string | null;
  error_code: string | null;
  error_message: string | null;
  /** JSON: { hint?, details? } of the error, so a failed job keeps its advice (additive). */
  error_detail: string | null;
  /** How many times the job was picked up again after its runner died. */
  recoveries: number;
  /** The runner (process) that holds the job while it runs. */
  owner: string | null;
  /** Epoch ms of the owner's last sign of life; a stale heartbeat means the owner died. */
  heartbeat_at: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface JobStepsTable {
  job_id: string;
  step_id: string;
  /** The step's index in the job's spec, so steps list in pipeline order (additive). */
  position: number;
  status: string;
  attempts: number;
  cache_key: string | null;
  /** JSON: step outputs, once completed. */
  outputs: string | null;
  error_code: string | null;
  error_message: string | null;
  /** JSON: { hint?, details? } of the error, so a failed job keeps its advice (additive). */
  error_detail: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface StepCacheTable {
  cache_key: string;
  step_type: string;
  /** JSON: step outputs. */
  outputs: string;
  created_at: string;
  hits: Generated<number>;
}

export interface ConversationTurnsTable {
  conversation_id: string;
  position: number;
  /** 'user' | 'assistant' | 'system' (a summary or an event in the world). */
  role: string;
  /** Who spoke, e.g. the NPC's or player's name (optional). */
  speaker: string | null;
  content: string;
  created_at: string;
}

/** Append-only, hash-chained record of every artifact (migration 0003). */
export interface ProvenanceLedgerTable {
  seq: number;
  artifact_id: string;
  created_at: string;
  /** Canonical JSON: LedgerPayload. */
  payload: string;
  prev_hash: string;
  entry_hash: string;
}

/** One row (id 1): the last seq and entry hash. Appends lock it, so they form one chain. */
export interface ProvenanceLedgerHeadTable {
  id: number;
  seq: number;
  entry_hash: string;
}

export interface Database {
  provenance_ledger: ProvenanceLedgerTable;
  provenance_ledger_head: ProvenanceLedgerHeadTable;
  conversation_turns: ConversationTurnsTable;
  artifacts: ArtifactsTable;
  jobs: JobsTable;
  job_steps: JobStepsTable;
  step_cache: StepCacheTable;
}
