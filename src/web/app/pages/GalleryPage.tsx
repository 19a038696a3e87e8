import { useCallback, useEffect, useState } from 'react';
import { artifactIds, getJob, type JobView } from '../api/jobs.ts';
import { ArtifactView } from '../components/ArtifactView.tsx';
import { rememberedJobs } from '../history.ts';
import { useI18n } from '../i18n.ts';

/** What this browser made, job by job: every artifact in its viewer, with how it was made. */
export function GalleryPage() {
  const { t } = useI18n();
  const [jobs, setJobs] = useState<JobView[] | null>(null);
  const load = useCallback(async () => {
    const found = await Promise.all(rememberedJobs().map((id) => getJob(id).catch(() => null)));
    setJobs(found.filter((job): job is JobView => job !== null && job.status === 'completed'));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  if (jobs === null) return <div className="card" aria-busy="true" />;
  if (jobs.length === 0) return <p className="card empty">{t('galleryEmpty')}</p>;
  return (
    <div className="gallery">
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void load()}>
          {t('refresh')}
        </button>
      </div>
      {jobs.map((job) => (
        <article key={job.id} className="card gallery-job" data-testid="gallery-job">
          <header>
            <strong>{job.pipelineId ?? job.id}</strong>
            <span className="muted">
              {t('job')} <code>{job.id}</code> {job.createdAt ? `· ${new Date(job.createdAt).toLocaleString()}` : ''}
            </span>
          </header>
          <div className="artifacts">
            {artifactIds(job.outputs).map((id) => (
              <ArtifactView key={id} id={id} />
            ))}
          </div>
        </article>
      ))}
    </div>
  );
}
