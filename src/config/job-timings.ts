import { z } from 'zod';

export interface JobTimings {
  heartbeatMs: number;
  staleAfterMs: number;
  recoverEveryMs: number;
}

export const DEFAULT_JOB_TIMINGS: JobTimings = { heartbeatMs: 2_000, staleAfterMs: 30_000, recoverEveryMs: 10_000 };

/**
 * Job leases and recovery (the `jobs` section of config.json). A runner refreshes the
 * heartbeat of the jobs it holds every `heartbeatMs`; a job whose heartbeat is older than
 * `staleAfterMs` belongs to a dead process, and `shenbi serve` takes it up (on start, every
 * `recoverEveryMs`, and when a lease it saw is due to go stale).
 */
export const jobTimingsFileSchema = z
  .object({
    /** How often a runner refreshes its jobs' leases, ms (default 2,000). */
    heartbeatMs: z.number().int().min(10).max(3_600_000).optional(),
    /** A lease older than this is a dead runner's, ms (default 30,000); at least twice heartbeatMs. */
    staleAfterMs: z.number().int().min(20).max(86_400_000).optional(),
    /** How often `shenbi serve` looks for jobs of dead processes, ms (default 10,000). */
    recoverEveryMs: z.number().int().min(10).max(86_400_000).optional(),
  })
  .strict()
  // A lease that may go stale between two heartbeats of a live runner would let others steal its jobs.
  .refine((file) => (file.staleAfterMs ?? DEFAULT_JOB_TIMINGS.staleAfterMs) >= 2 * (file.heartbeatMs ?? DEFAULT_JOB_TIMINGS.heartbeatMs), {
    message: 'staleAfterMs must be at least twice heartbeatMs',
    path: ['staleAfterMs'],
  });

export type JobTimingsFile = z.infer<typeof jobTimingsFileSchema>;

export function resolveJobTimings(file: JobTimingsFile | undefined): JobTimings {
  return {
    heartbeatMs: file?.heartbeatMs ?? DEFAULT_JOB_TIMINGS.heartbeatMs,
    staleAfterMs: file?.staleAfterMs ?? DEFAULT_JOB_TIMINGS.staleAfterMs,
    recoverEveryMs: file?.recoverEveryMs ?? DEFAULT_JOB_TIMINGS.recoverEveryMs,
  };
}
