import { z } from 'zod';
import { parseOrThrow } from '../core/validation.ts';
import type { JobCheckpoint } from './step-execution.ts';

const pointsSchema = z.array(z.string().regex(/^(?:queued|claimed|step:[\w.-]+)$/, 'queued, claimed or step:STEP_ID')).min(1);

/**
 * TEST ONLY (the crash tests, test/server/crash-recovery.test.ts). With
 * `SHENBI_TEST_CRASH_AT=queued,claimed,step:verse,step:card`, the job runner holds the first
 * job that reaches each listed point right after that state is persisted (`queued`: the job
 * row is written, not yet queued; `claimed`: the job is running, no step done; `step:ID`:
 * step ID's result is written) and SIGKILLs its own process once every point holds a job:
 * one `kill -9` then leaves a job at each step boundary, deterministically. Unset (as
 * everywhere but those tests), the runner gets no checkpoint and pays nothing.
 */
export function crashPointsFromEnv(env: NodeJS.ProcessEnv): JobCheckpoint | undefined {
  const raw = env.SHENBI_TEST_CRASH_AT;
  if (raw === undefined || raw.trim() === '') return undefined;
  const waiting = new Set(parseOrThrow(pointsSchema, raw.split(',').map((p) => p.trim()), 'SHENBI_TEST_CRASH_AT', 'CONFIG_INVALID'));
  return async (_jobId, point) => {
    if (!waiting.delete(point)) return;
    if (waiting.size === 0) process.kill(process.pid, 'SIGKILL');
    // Held here until the kill.
    await new Promise<never>(() => {});
  };
}
