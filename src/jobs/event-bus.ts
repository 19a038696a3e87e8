import type { JobEvent } from '../core/progress.ts';

/**
 * Carries job events between processes (API servers, workers), so an SSE subscriber on one
 * server follows a job submitted on another and run by a third. Delivery is at most once and
 * unordered across publishers: the store stays the source of truth for a job's state, and a
 * follower still reads the job's end from it.
 */
export interface JobEventBus {
  /** Sends an event of a job running in this process to every other process. Never throws; failures are warnings. */
  publish(event: JobEvent): void;
  /** Receives events published by other processes (never this process's own). Returns the unsubscribe function. */
  subscribe(listener: (event: JobEvent) => void): () => void;
  /** Resolves once the bus is connected and subscribed (events published before may be missed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}
