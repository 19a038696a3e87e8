/** Progress of one step, as engines report it. */
export interface StepProgress {
  /** 0..1; engines that cannot estimate report only messages. */
  fraction?: number;
  message?: string;
}

/**
 * A piece of a step's result that is already stored (and labeled) and usable before the step
 * ends: an NPC reply's sentences, voiced one by one, can be played while the rest is written.
 */
export interface StepPartial {
  /** The output port the piece belongs to (the whole result still arrives there at the end). */
  output: string;
  /** 0-based position of the piece within that output; pieces are reported in order. */
  index: number;
  artifactId: string;
  /** What the piece says, for speech or text pieces. */
  text?: string;
}

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'completed' | 'cached' | 'failed' | 'cancelled' | 'skipped';

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** Events a job emits, in order; the CLI draws bars from them and the server streams them. */
export type JobEvent =
  | { type: 'job.started'; jobId: string; at: number; steps: string[] }
  | { type: 'step.started'; jobId: string; at: number; stepId: string; attempt: number }
  | {
      type: 'step.progress';
      jobId: string;
      at: number;
      stepId: string;
      /** The step's type (e.g. `video.cover`): a stable key a client can translate; `message` is English detail. */
      stepType?: string;
      fraction: number | null;
      message: string | null;
      /** Estimated milliseconds left for the whole job, when it can be estimated. */
      etaMs: number | null;
    }
  | { type: 'step.partial'; jobId: string; at: number; stepId: string; output: string; index: number; artifactId: string; text: string | null }
  | { type: 'step.retry'; jobId: string; at: number; stepId: string; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'step.completed'; jobId: string; at: number; stepId: string; cached: boolean; durationMs: number }
  | { type: 'job.completed'; jobId: string; at: number; outputs: Record<string, unknown> }
  | { type: 'job.failed'; jobId: string; at: number; code: string; message: string; stepId: string | null }
  | { type: 'job.cancelled'; jobId: string; at: number };
