import type { SerializedError } from '../core/errors.ts';
import type { JobRepository } from '../store/types.ts';

/**
 * Records a job as failed with `error` when no execution of it is under way here: its running
 * steps fail with the same error, pending ones are skipped, then the job row (a job that has
 * ended already stays as it is). Every write is idempotent, so a refused one can be retried.
 */
export async function failStoredJob(jobs: JobRepository, jobId: string, error: SerializedError): Promise<void> {
  const at = new Date().toISOString();
  for (const step of await jobs.steps(jobId)) {
    if (step.status === 'running') await jobs.updateStep(jobId, step.stepId, { status: 'failed', error, finishedAt: at });
    else if (step.status === 'pending') await jobs.updateStep(jobId, step.stepId, { status: 'skipped' });
  }
  await jobs.update(jobId, { status: 'failed', error, finishedAt: at });
}
