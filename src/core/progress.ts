/** Progress of one step, as engines report it. */
export interface StepProgress {
  /** 0..1; engines that cannot estimate report only messages. */
  fraction?: number;
  message?: string;
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
      fraction: number | null;
      message: string | null;
      /** Estimated milliseconds left for the whole job, when it can be estimated. */
      etaMs: number | null;
    }
  | { type: 'step.retry'; jobId: string; at: number; stepId: string; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'step.completed'; jobId: string; at: number; stepId: string; cached: boolean; durationMs: number }
  | { type: 'job.completed'; jobId: string; at: number; outputs: Record<string, unknown> }
  | { type: 'job.failed'; jobId: string; at: number; code: string; message: string; stepId: string | null }
  | { type: 'job.cancelled'; jobId: string; at: number };
