import type { Logger } from '../core/log.ts';
import type { JobEvent } from '../core/progress.ts';
import type { JobInfoCache } from './job-info.ts';
import { ALL_JOBS, type JobEventListener } from './job-events.ts';

/** What attachJobLogs needs of a JobRunner. */
export interface LoggedRunner {
  subscribe(jobId: string, listener: JobEventListener): () => void;
  /** Whether the job runs in this process: only those are logged here (every process logs its own). */
  runsHere?(jobId: string): boolean;
}

/**
 * One JSON line per job start and end (`job started` / `job completed` / `job failed` /
 * `job cancelled`) with jobId, pipeline (when `info` is given), ms and the error code, for
 * jobs running in this process: with an event bus the runner also sees other processes' jobs,
 * whose own processes log them. Returns the detach function. Used by `shenbi serve` and
 * `shenbi worker`.
 */
export function attachJobLogs(runner: LoggedRunner, logger: Logger, info?: JobInfoCache): () => void {
  const startedAt = new Map<string, number>();
  const line = (event: JobEvent, fields: Record<string, unknown>, message: string, level: 'info' | 'warn' = 'info') => {
    const write = (pipeline: string | undefined) => logger[level]({ jobId: event.jobId, ...(pipeline === undefined ? {} : { pipeline }), ...fields }, message);
    if (info === undefined) write(undefined);
    else void info.get(event.jobId).then((known) => write(known?.pipeline));
  };
  const ended = (event: JobEvent): number | undefined => {
    const at = startedAt.get(event.jobId);
    startedAt.delete(event.jobId);
    return at === undefined ? undefined : Math.max(0, event.at - at);
  };
  return runner.subscribe(ALL_JOBS, (event) => {
    if (event.type === 'job.started') {
      if (runner.runsHere !== undefined && !runner.runsHere(event.jobId)) return;
      startedAt.set(event.jobId, event.at);
      line(event, { steps: event.steps.length }, 'job started');
      return;
    }
    if (event.type !== 'job.completed' && event.type !== 'job.failed' && event.type !== 'job.cancelled') return;
    // Ends of jobs whose start this process did not log belong to another process's log…
    // except a job cancelled while still queued here, which never started.
    if (!startedAt.has(event.jobId) && !(event.type === 'job.cancelled' && runner.runsHere?.(event.jobId) !== false)) return;
    const ms = ended(event);
    const timing = ms === undefined ? {} : { ms };
    if (event.type === 'job.completed') line(event, timing, 'job completed');
    else if (event.type === 'job.failed') line(event, { ...timing, code: event.code, stepId: event.stepId }, 'job failed', 'warn');
    else line(event, timing, 'job cancelled');
  });
}
