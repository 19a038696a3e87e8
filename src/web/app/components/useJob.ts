import { useCallback, useRef, useState } from 'react';
import { runJob, type JobProgress, type JobRequest, type JobView, type RunJobOptions } from '../api/jobs.ts';

export interface JobState {
  running: boolean;
  progress: JobProgress;
  job: JobView | null;
  error: unknown;
}

const IDLE: JobProgress = { fraction: null, message: null, stepId: null, etaMs: null };

/** One job at a time per page: submit, follow its progress, cancel. */
export function useJob(extra: Pick<RunJobOptions, 'onMessage' | 'onPartial'> = {}) {
  const [state, setState] = useState<JobState>({ running: false, progress: IDLE, job: null, error: null });
  const controller = useRef<AbortController | null>(null);
  const onMessage = useRef(extra.onMessage);
  onMessage.current = extra.onMessage;
  const onPartial = useRef(extra.onPartial);
  onPartial.current = extra.onPartial;

  const run = useCallback(async (request: JobRequest): Promise<JobView | null> => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setState({ running: true, progress: IDLE, job: null, error: null });
    try {
      const job = await runJob(request, {
        signal: abort.signal,
        onProgress: (progress) => setState((s) => ({ ...s, progress })),
        onMessage: (message, stepId) => onMessage.current?.(message, stepId),
        onPartial: (piece) => onPartial.current?.(piece),
      });
      setState((s) => ({ ...s, running: false, job }));
      return job;
    } catch (error) {
      setState((s) => ({ ...s, running: false, error }));
      return null;
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  }, []);

  const cancel = useCallback(() => controller.current?.abort(), []);
  return { ...state, run, cancel };
}
