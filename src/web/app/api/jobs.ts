import { ApiError, errorFromBody, postJson, requestJson } from './http.ts';
import { parseData, readSse } from './sse.ts';

/** A task, a built-in pipeline by id, or an inline pipeline spec (the server validates it). */
export type JobRequest = { task: string; input: Record<string, unknown> } | { pipeline: string | Record<string, unknown>; input: Record<string, unknown> };

/** An output artifact as the job view lists it. */
export interface ArtifactSummary {
  id: string;
  kind: string;
  mimeType: string;
  size: number;
  name: string | null;
  labels: { type: string; placement?: string; value?: unknown }[];
  url: string;
}

export interface JobView {
  id: string;
  status: string;
  pipelineId?: string;
  outputs: Record<string, unknown> | null;
  error: { code: string; message: string; hint?: string } | null;
  createdAt?: string;
  finishedAt?: string | null;
  artifacts?: ArtifactSummary[];
}

export interface JobProgress {
  /** 0..1 over the whole job; null until the job has said how many steps it has. */
  fraction: number | null;
  /** The latest thing a step said (e.g. "spoke: …" for each NPC sentence). */
  message: string | null;
  stepId: string | null;
  /** The running step's type (e.g. `video.cover`): the key the studio translates `message` by. */
  stepType?: string | null;
  etaMs: number | null;
}

/** A stored piece of an output, reported before the job ends (an NPC reply's sentence audio). */
export interface JobPartial {
  stepId: string;
  output: string;
  index: number;
  artifactId: string;
  text: string | null;
}

export interface RunJobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Every step message in order, for views that stream (the NPC's sentences). */
  onMessage?: (message: string, stepId: string | null) => void;
  /** Pieces of outputs as they are stored, in order (play an NPC's first sentence while it speaks on). */
  onPartial?: (piece: JobPartial) => void;
  onCreated?: (id: string) => void;
}

type JsonObject = Record<string, unknown>;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function partialFrom(data: JsonObject): JobPartial | null {
  const stepId = str(data.stepId);
  const output = str(data.output);
  const index = num(data.index);
  const artifactId = str(data.artifactId);
  if (stepId === null || output === null || index === null || artifactId === null) return null;
  return { stepId, output, index, artifactId, text: str(data.text) };
}

export function getJob(id: string): Promise<JobView> {
  return requestJson<JobView>(`/api/jobs/${encodeURIComponent(id)}`);
}

export function cancelJob(id: string): Promise<unknown> {
  return postJson(`/api/jobs/${encodeURIComponent(id)}/cancel`, {});
}

/** Tracks whole-job progress from step events: finished steps plus the running step's share. */
class ProgressTracker {
  #steps: string[] = [];
  readonly #fractions = new Map<string, number>();
  state: JobProgress = { fraction: null, message: null, stepId: null, etaMs: null };

  apply(type: string, data: JsonObject): boolean {
    const stepId = str(data.stepId);
    if (type === 'job.started' && Array.isArray(data.steps)) {
      this.#steps = data.steps.filter((s): s is string => typeof s === 'string');
    } else if (type === 'step.started' && stepId) {
      this.#fractions.set(stepId, 0);
    } else if (type === 'step.progress' && stepId) {
      const fraction = num(data.fraction);
      if (fraction !== null) this.#fractions.set(stepId, Math.min(1, Math.max(0, fraction)));
      this.state = { ...this.state, message: str(data.message) ?? this.state.message, stepId, stepType: str(data.stepType), etaMs: num(data.etaMs) };
    } else if (type === 'step.completed' && stepId) {
      this.#fractions.set(stepId, 1);
    } else {
      return false;
    }
    if (this.#steps.length > 0) {
      let sum = 0;
      for (const step of this.#steps) sum += this.#fractions.get(step) ?? 0;
      this.state = { ...this.state, fraction: sum / this.#steps.length };
    }
    return true;
  }
}

/**
 * Submits a job and follows its SSE events to the end: resolves with the finished job,
 * rejects with an ApiError carrying the server's code and hint (e.g. the exact
 * `shenbi models pull NAME` for a missing model).
 */
export async function runJob(request: JobRequest, options: RunJobOptions = {}): Promise<JobView> {
  const created = await postJson<{ id: string }>('/api/jobs', request, options.signal);
  options.onCreated?.(created.id);
  const abort = () => void cancelJob(created.id).catch(() => undefined);
  options.signal?.addEventListener('abort', abort, { once: true });
  const tracker = new ProgressTracker();
  let ended: 'completed' | 'failed' | 'cancelled' | null = null;
  let failure: ApiError | null = null;
  try {
    for await (const message of readSse(`/api/jobs/${encodeURIComponent(created.id)}/events`, options.signal ? { signal: options.signal } : {})) {
      const data = parseData(message);
      const body = isObject(data) ? data : {};
      const type = str(body.type) ?? message.event;
      if (type === 'step.partial') {
        const piece = partialFrom(body);
        if (piece) options.onPartial?.(piece);
        continue;
      }
      if (tracker.apply(type, body)) {
        options.onProgress?.(tracker.state);
        if (type === 'step.progress' && tracker.state.message) options.onMessage?.(tracker.state.message, tracker.state.stepId);
        continue;
      }
      if (type === 'result' || type === 'job.completed') ended = 'completed';
      else if (type === 'job.cancelled' || type === 'cancelled') ended = 'cancelled';
      else if (type === 'error' || type === 'job.failed') {
        ended = 'failed';
        failure = errorFromBody(body, 500);
      }
      if (ended) break;
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  // The stored job is the source of truth: outputs, and the error with its hint. If the
  // stream broke off early, poll until the job is over.
  let job = await getJob(created.id);
  while (!TERMINAL.has(job.status)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (options.signal?.aborted) throw new ApiError('JOB_CANCELLED', 'cancelled', 499);
    job = await getJob(created.id);
  }
  if (job.status === 'completed') {
    options.onProgress?.({ ...tracker.state, fraction: 1 });
    return job;
  }
  if (job.error) throw new ApiError(job.error.code, job.error.message, 500, job.error.hint ?? failure?.hint ?? null);
  if (failure) throw failure;
  if (job.status === 'cancelled' || ended === 'cancelled') throw new ApiError('JOB_CANCELLED', 'cancelled', 499);
  throw new ApiError('JOB_FAILED', `the job ended as ${job.status}`, 500);
}

/** Artifact ids (`art_…`) anywhere in a job's outputs, in order, without repeats. */
export function artifactIds(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/^art_[0-9a-hjkmnp-tv-z]{26}$/.test(value) && !found.includes(value)) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) artifactIds(item, found);
  } else if (isObject(value)) {
    for (const item of Object.values(value)) artifactIds(item, found);
  }
  return found;
}
