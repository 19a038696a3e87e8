import type { JobEventListener } from '../../jobs/job-events.ts';
import type { EngineUsage } from '../../jobs/engine-limits.ts';
import type { LaneDepth } from '../../jobs/queue.ts';

/**
 * What the metrics read from a JobRunner. The optional members are the runner's accessors for
 * metrics; a runner without one reports no such series (nothing is guessed).
 */
export interface MetricsRunner {
  subscribe(jobId: string, listener: JobEventListener): () => void;
  /** The queue's waiting jobs per lane (a shared queue asks Redis: cluster-wide). */
  queueDepth?(): Promise<LaneDepth[]>;
  /** Steps running per engine in this process, with each engine's limit. */
  engineUsage?(): EngineUsage[];
  /** Called with each job this process submits; returns the unsubscribe function. */
  onSubmitted?(listener: (job: { id: string; pipelineId: string }) => void): () => void;
}
