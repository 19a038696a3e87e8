import type { JobRecord, JobRepository } from '../store/types.ts';

/** What metrics and logs say about a job besides its id: its pipeline and the type of each step. */
export interface JobInfo {
  pipeline: string;
  /** stepId → step type (`uses`). */
  stepTypes: ReadonlyMap<string, string>;
}

/** Jobs remembered at most (oldest forgotten first); an ended job is forgotten at once by its user. */
const MAX_JOBS = 10_000;

/**
 * Job events carry ids only, so the pipeline and step types are read from the store once per
 * job (not per event, never per scrape) and remembered (the newest 10,000 jobs), shared by
 * the metrics and the logs of a process.
 */
export class JobInfoCache {
  readonly #known = new Map<string, Promise<JobInfo | undefined>>();

  /** `held`: a job's record when this process holds it (JobRunner.held), read instead of the store. */
  constructor(
    private readonly jobs: Pick<JobRepository, 'find'>,
    private readonly held: (jobId: string) => JobRecord | undefined = () => undefined,
  ) {}

  get(jobId: string): Promise<JobInfo | undefined> {
    let info = this.#known.get(jobId);
    if (info === undefined) {
      const record = this.held(jobId);
      info = (record === undefined ? this.jobs.find(jobId) : Promise.resolve(record)).then(
        (record) => (record === undefined ? undefined : { pipeline: record.pipelineId, stepTypes: new Map(record.spec.steps.map((step) => [step.id, step.uses])) }),
        // A lookup that fails (database briefly away) leaves the job unlabelled, not the caller broken.
        () => undefined,
      );
      this.#known.set(jobId, info);
      if (this.#known.size > MAX_JOBS) this.#known.delete(this.#known.keys().next().value as string);
    }
    return info;
  }
}
