import { useCallback, useEffect, useState } from 'react';
import { deleteArtifact, listArtifacts, type ArtifactInfo } from '../api/artifacts.ts';
import { ArtifactView } from '../components/ArtifactView.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

/** Everything the caller made, newest first, grouped by job: each artifact in its viewer, with labels and provenance. */
export function GalleryPage() {
  const { t, language } = useI18n();
  const [groups, setGroups] = useState<[string, ArtifactInfo[]][] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    try {
      const byJob = new Map<string, ArtifactInfo[]>();
      for (const artifact of await listArtifacts()) {
        const key = artifact.jobId ?? artifact.id;
        byJob.set(key, [...(byJob.get(key) ?? []), artifact]);
      }
      setGroups([...byJob.entries()]);
    } catch (caught) {
      setError(caught);
      setGroups([]);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  // Which artifact waits for the user to confirm its deletion (one at a time).
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = useCallback(
    async (id: string) => {
      setConfirming(null);
      try {
        await deleteArtifact(id);
        setError(null);
      } catch (caught) {
        setError(caught);
      }
      await load();
    },
    [load],
  );

  if (groups === null) return <div className="card" aria-busy="true" />;
  return (
    <div className="gallery">
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void load()}>
          {t('refresh')}
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {groups.length === 0 && !error ? <p className="card empty">{t('galleryEmpty')}</p> : null}
      {groups.map(([job, artifacts]) => (
        <article key={job} className="card gallery-job" data-testid="gallery-job">
          <header>
            <strong>{artifacts[0]?.provenance?.task ? optionLabel(language, 'task', artifacts[0].provenance.task) : optionLabel(language, 'kind', artifacts[0]?.kind ?? '')}</strong>
            <span className="muted">
              {job.startsWith('job_') ? (
                <>
                  {t('job')} <code>{job}</code>
                </>
              ) : null}{' '}
              {artifacts[0]?.createdAt ? `· ${new Date(artifacts[0].createdAt).toLocaleString(language === 'zh' ? 'zh-CN' : 'en')}` : ''}
            </span>
          </header>
          <div className="artifacts">
            {artifacts.map((artifact) => (
              <div key={artifact.id} className="gallery-item" data-testid="gallery-item" data-artifact-id={artifact.id}>
                <ArtifactView id={artifact.id} info={artifact} />
                {confirming === artifact.id ? (
                  <div className="actions" role="alertdialog" aria-label={t('deleteArtifactConfirm')}>
                    <span>{t('deleteArtifactConfirm')}</span>
                    <button type="button" data-testid="delete-artifact-confirm" onClick={() => void remove(artifact.id)}>
                      {t('deleteArtifactYes')}
                    </button>
                    <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                      {t('cancel')}
                    </button>
                  </div>
                ) : (
                  <div className="actions">
                    <button type="button" className="secondary" data-testid="delete-artifact" onClick={() => setConfirming(artifact.id)}>
                      {t('deleteArtifact')}
                    </button>
                  </div>
                )}
              </div>
            ))}
          </div>
        </article>
      ))}
    </div>
  );
}
